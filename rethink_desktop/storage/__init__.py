"""The SQLite store: paths, schema and migrations, the event log, queries, backup."""
