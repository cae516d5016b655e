"""Pure session logic: no Qt, no SQLite; time comes from an injected clock."""
