"""The local store (SQLite through Peewee, or PostgreSQL for a team)."""

# First, whatever module of the store is imported: peewee imported without its PostgreSQL driver (~35 ms
# a start does not need; it is handed over when a PostgreSQL store opens: see db._peewee_without_its_driver).
from . import db  # noqa: F401
