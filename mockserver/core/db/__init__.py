"""The database: engines for SQLite and PostgreSQL, the schema and its migrations."""
