"""The database: models, schema migrations, and the queries and writes the rest
calls (they never commit: the caller owns the unit of work)."""
