"""The store's database names for callers outside store/, so none of them imports SQLAlchemy.

- :data:`Connection`: the connection a ``project.read()`` / ``project.write()`` block
  yields (for type hints: import it under ``TYPE_CHECKING``);
- :data:`ConstraintConflict`: a unique or foreign-key constraint refused a write, e.g.
  two processes inserting the same rows at once; a caller may look again and retry.
"""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError as ConstraintConflict

__all__ = ["Connection", "ConstraintConflict"]
