"""Typed reads for tests: the row must exist, and the type says so."""

from __future__ import annotations

from typing import Any, TypeVar

from academy.database import db

T = TypeVar("T")


def fetch(model: type[T], ident: Any) -> T:
    """``db.session.get`` for a row the test just made: failing here names the missing row."""
    found = db.session.get(model, ident)
    assert found is not None, f"no {model.__name__} {ident!r}"
    return found
