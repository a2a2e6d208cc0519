"""People import speed: ``python -m bench.people_import [people …]``.

Imports N new hires (CSV, GBK, into ten departments of a subsidiary that has a subtree-wide
mandatory assignment) on a file SQLite database, and compares with a baseline measured in the
same run: reading and checking the same file without applying it (the least an import must do).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from academy import create_app
from academy.database import db
from academy.models import TargetKind
from academy.people.services import assignments, org, people_import

ROOT = Path(__file__).resolve().parent.parent


def people_csv(count: int) -> bytes:
    lines = ["工号,姓名,组织路径,岗位,状态"]
    lines += [f"7{i:06d},员工{i},集团/华东公司/部门{i % 10},检验员,在职" for i in range(count)]
    return ("\n".join(lines) + "\n").encode("gbk")


def run(count: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite"})
        data = people_csv(count)
        with app.app_context():
            db.create_all()
            group = org.create_unit("集团")
            east = org.create_unit("华东公司", parent=group)
            assignments.create_assignment(title="全员质量通识", courses=[], exam_id="cert-all-staff",
                                          target_kind=TargetKind.UNIT, unit=east)
            start = time.perf_counter()
            report = people_import.import_people(data, "people.csv", dry_run=True)
            check = time.perf_counter() - start
            start = time.perf_counter()
            report = people_import.import_people(data, "people.csv")
            applied = time.perf_counter() - start
            if not report.applied or report.summary()["created"] != count:
                raise SystemExit(f"the import did not apply: {report.summary()}")
            db.engine.dispose()
    return check, applied


def main() -> None:
    for count in [int(a) for a in sys.argv[1:]] or [2000, 10000]:
        check, applied = run(count)
        print(f"{count:>7} people: check only {check * 1000:8.0f} ms (baseline), import {applied * 1000:8.0f} ms "
              f"= x{applied / check:.1f}, {applied / count * 1000:.2f} ms per person")


if __name__ == "__main__":
    main()
