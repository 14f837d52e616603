"""SQLite storage: schema migrations, one writer, per-thread readers."""
from core.db.database import Database

__all__ = ["Database"]
