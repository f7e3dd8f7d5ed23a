"""Alembic migrations: the only way the schema is created (SQLite and PostgreSQL)."""
