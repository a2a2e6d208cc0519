"""Shared helpers moved out of test_people_import.py."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from academy.database import db
from academy.models import User

HEADER = ["工号", "姓名", "组织路径", "岗位", "邮箱", "手机", "状态"]


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8", bom: bool = False) -> bytes:
    text = "\r\n".join(",".join(r) for r in [HEADER, *rows]) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


def people(app: Flask) -> dict[str, User]:
    with app.app_context():
        found = {u.employee_no: u for u in db.session.execute(select(User)).scalars()}
        for u in found.values():
            _ = u.org_unit
            db.session.expunge(u)
        return found
