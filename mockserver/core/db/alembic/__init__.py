"""The Alembic environment (env.py) and revisions (versions/) of the schema; core/db/migrate.py runs them."""
