"""Alembic migrations of the schema; run by :mod:`storage.schema`."""
