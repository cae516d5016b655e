"""Exports (JSON, CSV, PDF) built from storage queries."""
