"""People import: the employee list HR keeps in Excel, as CSV or XLSX.

Reading and planning write nothing; ``apply`` writes the whole plan in one transaction,
or nothing when any row is rejected. Importing the same file twice changes nothing.
Leavers are deactivated, never deleted.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Generator, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select

from academy.database import db
from academy.models import OrgUnit, User
from academy.people.models.org import path_ids, path_within, within
from academy.people.services import accounts, assignments, org, sessions
from academy.services import audit

COLUMNS = ("工号", "姓名", "组织路径", "岗位", "邮箱", "手机", "状态")
REQUIRED = ("工号", "姓名", "组织路径")
# what common HR systems and spreadsheets call each column; compared after NFKC, spaces dropped, case folded
ALIASES: dict[str, tuple[str, ...]] = {
    "工号": ("工号", "员工编号", "人员编号", "员工号", "职工号", "employee no", "employee id"),
    "姓名": ("姓名", "员工姓名", "name"),
    "组织路径": ("组织路径", "部门", "所属部门", "组织", "所在部门", "部门名称", "department"),
    "岗位": ("岗位", "职位", "岗位名称", "position"),
    "邮箱": ("邮箱", "电子邮箱", "邮件地址", "email", "e-mail"),
    "手机": ("手机", "手机号", "手机号码", "移动电话", "mobile"),
    "状态": ("状态", "在职状态", "员工状态", "status"),
}
ACTIVE, LEFT = "在职", "离职"
EMPLOYEE_NO = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z0-9-]{2,}$")
MOBILE = re.compile(r"^1[3-9]\d{9}$")
Progress = Callable[[int, int], None]
Step = tuple[str, int, int]  # ("check" | "apply", rows done, rows in all): what a progress display shows
STEP_EVERY = 200  # rows between two progress steps
REASONS = {  # code: English text for the command line (the web page translates the codes)
    "missing_column": "missing column", "required": "required", "invalid": "invalid", "too_long": "too long",
    "bad_status": f"must be {ACTIVE} or {LEFT}", "invalid_email": "invalid email",
    "invalid_mobile": "invalid mobile number", "conflicts_with_row": "differs from row {other}",
    "email_in_file": "also used in row {other}", "email_taken": "already used by {other}",
    "email_taken_elsewhere": "already used by someone outside your scope", "control_character": "contains control characters",
    "out_of_scope": "outside your scope", "ambiguous_column": "also matched by column {other}",
}


MAX_ROWS = 100_000  # a group's whole staff list; more is a wrong file or an attack
MAX_UNPACKED = 64 * 1024 * 1024  # bytes an XLSX may expand to: 100,000 rows take about 20 MB
MAX_CELL = 200  # characters in any cell; names and unit names are far shorter
UNIT_NAME = 120  # characters in one unit name (the column's size)


class ImportFileError(Exception):
    """The file cannot be read at all (not CSV/XLSX, no header, too big): ``reason``, and ``row`` where known."""

    def __init__(self, reason: str, row: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.row = row


@dataclass(frozen=True)
class Rejected:
    row: int
    column: str
    reason: str  # a code: see REASONS
    value: str = ""
    other: str = ""  # the other row or employee number a conflict is with


def describe(rejected: Rejected) -> str:
    return REASONS.get(rejected.reason, rejected.reason).format(other=rejected.other)


@dataclass(frozen=True)
class Change:
    row: int
    employee_no: str
    name: str
    action: str  # create | update | deactivate | unchanged
    unit_path: str = ""
    fields: tuple[str, ...] = ()
    moved_from: str = ""


@dataclass
class ImportReport:
    changes: list[Change] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    new_units: list[str] = field(default_factory=list)
    renamed_units: list[tuple[str, str]] = field(default_factory=list)  # (old name path, new name path)
    duplicates: int = 0
    applied: bool = False

    def of(self, action: str) -> list[Change]:
        return [c for c in self.changes if c.action == action]

    @property
    def has_changes(self) -> bool:
        return bool(self.new_units or self.renamed_units) or any(c.action != "unchanged" for c in self.changes)

    def summary(self) -> dict[str, Any]:
        return {
            "applied": self.applied,
            "created": len(self.of("create")), "updated": len(self.of("update")),
            "deactivated": len(self.of("deactivate")), "unchanged": len(self.of("unchanged")),
            "duplicates": self.duplicates, "new_units": self.new_units,
            "renamed_units": [{"from": old, "to": new} for old, new in self.renamed_units],
            "changes": [asdict(c) for c in self.changes if c.action != "unchanged"],
            "rejected": [asdict(r) | {"message": describe(r)} for r in self.rejected],
        }


# --- reading ---------------------------------------------------------------------

def clean(value: object) -> str:
    """NFKC (full-width digits, letters and spaces become ASCII), trimmed, inner runs of blanks collapsed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel keeps numbers such as 工号 and 手机 as floats
    text = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"\s+", " ", text).strip()


def decode(data: bytes) -> str:
    """UTF-8 with or without BOM, else GB18030 (a superset of GBK/GB2312 that older Excel writes)."""
    if data.startswith(b"\xef\xbb\xbf"):  # a BOM says UTF-8: a bad byte after it is an error, not GBK
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ImportFileError("encoding", data[: 3 + exc.start].count(b"\n") + 1) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ImportFileError("encoding", data[: exc.start].count(b"\n") + 1) from exc


def _check_unpacked_size(data: bytes) -> None:
    """Refuse an XLSX that would expand far beyond its size (a zip bomb) before opening it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(entry.file_size for entry in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ImportFileError("xlsx") from exc
    if unpacked > MAX_UNPACKED:
        raise ImportFileError("too_large")


def _bounded(rows: Iterator[list[str]]) -> list[list[str]]:
    table: list[list[str]] = []
    for row in rows:
        if len(table) > MAX_ROWS:  # the header plus MAX_ROWS people
            raise ImportFileError("too_many_rows", len(table) + 1)
        table.append(row)
    return table


def read_table(data: bytes, filename: str) -> list[list[str]]:
    """All rows (header first) as cleaned strings."""
    if filename.lower().endswith((".xlsx", ".xlsm")) or data.startswith(b"PK\x03\x04"):
        from openpyxl import load_workbook

        _check_unpacked_size(data)
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises several types for a broken zip
            raise ImportFileError("xlsx") from exc
        try:
            sheet = book.worksheets[0]
            return _bounded([clean(v) for v in row] for row in sheet.iter_rows(values_only=True))
        finally:
            book.close()
    text = decode(data)
    try:
        return _bounded([clean(v) for v in row] for row in csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise ImportFileError("csv") from exc


@dataclass(frozen=True)
class Row:
    number: int  # as a spreadsheet shows it: the header is row 1
    employee_no: str
    name: str
    unit_path: tuple[str, ...]
    position: str
    email: str
    phone: str
    left: bool


def fold_header(header: str) -> str:
    return re.sub(r"[\s_]+", " ", header).strip().casefold()


ALIAS_OF = {fold_header(a): name for name, aliases in ALIASES.items() for a in aliases}


def header_fields(header: list[str], columns: dict[str, str] | None = None) -> list[str | None]:
    """The field each column holds: by the HR user's own mapping (``columns``: folded header ->
    field, "" to leave it out) first, then by the usual names; None where neither knows it."""
    fields: list[str | None] = []
    for h in header:
        folded = fold_header(h)
        if columns is not None and folded in columns:
            fields.append(columns[folded] if columns[folded] in COLUMNS else "")
        else:
            fields.append(ALIAS_OF.get(folded))
    return fields


def header_index(header: list[str], report: ImportReport,
                 columns: dict[str, str] | None = None) -> tuple[dict[str, int], bool]:
    """Which column holds each field, by the mapping or any of its usual names; and whether the
    unit column holds bare department names (a 部门-like header rather than 组织路径).

    Two columns answering to one field are refused with both named: guessing could put a
    person's mobile number in the wrong place.
    """
    folded = [fold_header(h) for h in header]
    index: dict[str, int] = {}
    fields = header_fields(header, columns)
    for name in COLUMNS:
        found = [i for i, f in enumerate(fields) if f == name]
        if len(found) > 1:
            report.rejected.append(Rejected(1, header[found[0]], "ambiguous_column", header[found[0]], header[found[1]]))
        elif found:
            index[name] = found[0]
    for column in REQUIRED:
        if column not in index:
            report.rejected.append(Rejected(1, column, "missing_column"))
    bare = "组织路径" in index and folded[index["组织路径"]] != fold_header("组织路径")
    return index, bare


def parse_rows(table: list[list[str]], report: ImportReport, *, base: tuple[str, ...] = (),
               columns: dict[str, str] | None = None) -> list[Row]:
    """Validate each row; rejected ones go to the report with row, column and reason.

    ``base``: the names of the importer's own unit, from the root; a department column holding a
    bare name (no ``/``) places the person under it.
    """
    if not table or not any(table[0]):
        raise ImportFileError("empty")
    header = [clean(h) for h in table[0]]
    index, bare = header_index(header, report, columns)
    if report.rejected:
        return []
    rows: list[Row] = []
    seen: dict[str, tuple[Row, tuple[str, ...]]] = {}
    for number, raw in enumerate(table[1:], start=2):
        cells = {name: clean(raw[i]) if i < len(raw) else "" for name, i in index.items()}
        if not any(cells.values()):
            continue  # blank line
        unit = cells.get("组织路径", "")
        if bare and base and unit and "/" not in unit.replace("\\", "/"):
            cells["组织路径"] = "/".join((*base, unit))
        row = _parse_row(number, cells, report)
        if row is None:
            continue
        key = tuple(cells[c] for c in COLUMNS if c in cells)
        if row.employee_no in seen:
            first, first_key = seen[row.employee_no]
            if first_key == key:
                report.duplicates += 1
            else:
                report.rejected.append(Rejected(number, "工号", "conflicts_with_row", row.employee_no, str(first.number)))
            continue
        seen[row.employee_no] = (row, key)
        rows.append(row)
    emails: dict[str, Row] = {}
    for row in rows:
        if row.email and row.email in emails:
            report.rejected.append(Rejected(row.number, "邮箱", "email_in_file", row.email, str(emails[row.email].number)))
        elif row.email:
            emails[row.email] = row
    return rows


def _parse_row(number: int, cells: dict[str, str], report: ImportReport) -> Row | None:
    problems: list[Rejected] = []
    for column, value in cells.items():
        if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") for ch in value):
            problems.append(Rejected(number, column, "control_character", value[:40]))
        elif len(value) > MAX_CELL:
            problems.append(Rejected(number, column, "too_long", value[:40] + "…"))
    if problems:
        report.rejected.extend(problems)
        return None
    employee_no = cells.get("工号", "")
    if not EMPLOYEE_NO.match(employee_no):
        problems.append(Rejected(number, "工号", "required" if not employee_no else "invalid", employee_no))
    name = cells.get("姓名", "")
    if not name or len(name) > 80:
        problems.append(Rejected(number, "姓名", "required" if not name else "too_long", name))
    status = cells.get("状态", "") or ACTIVE
    if status not in (ACTIVE, LEFT):
        problems.append(Rejected(number, "状态", "bad_status", status))
    parts = tuple(p.strip() for p in cells.get("组织路径", "").replace("\\", "/").split("/") if p.strip())
    if not parts and status != LEFT:
        problems.append(Rejected(number, "组织路径", "required", cells.get("组织路径", "")))
    elif any(len(part) > UNIT_NAME for part in parts):
        problems.append(Rejected(number, "组织路径", "too_long", cells.get("组织路径", "")[:40] + "…"))
    email = cells.get("邮箱", "").lower()
    if email and not EMAIL.match(email):
        problems.append(Rejected(number, "邮箱", "invalid_email", cells.get("邮箱", "")))
    phone = re.sub(r"[\s-]", "", cells.get("手机", ""))
    phone = phone.removeprefix("+86").removeprefix("0086")
    if phone and not MOBILE.match(phone):
        problems.append(Rejected(number, "手机", "invalid_mobile", cells.get("手机", "")))
    if problems:
        report.rejected.extend(problems)
        return None
    return Row(number, employee_no, name, parts, cells.get("岗位", "")[:80], email, phone, status == LEFT)


# --- planning --------------------------------------------------------------------

class _Units:
    """The org tree by name path, plus the units the import would add."""

    def __init__(self) -> None:
        units = list(db.session.execute(select(OrgUnit)).scalars())
        by_id = {u.id: u for u in units}
        self.by_path: dict[tuple[str, ...], OrgUnit] = {}
        for unit in units:
            ids = unit.ancestor_ids
            self.by_path[tuple(by_id[i].name for i in ids if i in by_id)] = unit
        self.names = {u.id: tuple(by_id[i].name for i in u.ancestor_ids if i in by_id)
                      for u in units}
        self.new: list[tuple[str, ...]] = []
        self.renamed: list[tuple[OrgUnit, tuple[str, ...]]] = []  # unit, its new name path

    def rename(self, unit: OrgUnit, to: tuple[str, ...]) -> None:
        """Plan a rename: the unit and everything below it answer to the new name path."""
        old = self.names[unit.id]
        for parts, found in list(self.by_path.items()):
            if parts[:len(old)] == old:
                del self.by_path[parts]
                self.by_path[to + parts[len(old):]] = found
        self.renamed.append((unit, to))

    def nearest(self, parts: tuple[str, ...]) -> OrgUnit | None:
        for n in range(len(parts), 0, -1):
            if parts[:n] in self.by_path:
                return self.by_path[parts[:n]]
        return None

    def need(self, parts: tuple[str, ...]) -> None:
        for n in range(1, len(parts) + 1):
            if parts[:n] not in self.by_path and parts[:n] not in self.new:
                self.new.append(parts[:n])


def _base_names(scope: list[str] | None) -> tuple[str, ...]:
    """The names from the root down to the importer's first unit (the root for an admin)."""
    if scope:
        ids = path_ids(scope[0])
    else:
        root = db.session.execute(select(OrgUnit.id).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.id)).scalars().first()
        ids = [root] if root is not None else []
    names = dict(db.session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(ids))).tuples().all()) if ids else {}
    return tuple(names[i] for i in ids if i in names)


def _within(unit: OrgUnit | None, scope: list[str] | None) -> bool:
    if scope is None:
        return True
    return unit is not None and path_within(unit.path, scope)


def plan(rows: list[Row], report: ImportReport, *, full: bool = False, scope: list[str] | None = None) -> _Units:
    """Compare the rows with the database; fills ``report.changes``. Writes nothing."""
    return _drain(plan_steps(rows, report, full=full, scope=scope))


def plan_steps(rows: list[Row], report: ImportReport, *, full: bool = False,
               scope: list[str] | None = None) -> Generator[Step, None, _Units]:
    """``plan``, telling how many rows it has checked as it goes."""
    units = _Units()
    numbers = [r.employee_no for r in rows]
    existing = {u.employee_no: u for batch in _batches(numbers)
                for u in db.session.execute(select(User).where(User.employee_no.in_(batch))).scalars()}
    emails = [r.email for r in rows if r.email]
    email_owner: dict[str, User] = {str(mail): owner for batch in _batches(emails) for mail, owner in db.session.execute(
        select(func.lower(User.email), User).where(func.lower(User.email).in_(batch)))}
    for unit, to in _renames(rows, units, existing, scope):
        units.rename(unit, to)
    covered: dict[int, tuple[str, ...]] = {}  # unit id -> its name path in the file
    listed: list[tuple[str, ...]] = []
    for checked, row in enumerate(rows):
        if checked % STEP_EVERY == 0:
            yield "check", checked, len(rows)
        user = existing.get(row.employee_no)
        target = units.by_path.get(row.unit_path)
        if user is not None and not _within(user.org_unit, scope):
            report.rejected.append(Rejected(row.number, "工号", "out_of_scope", row.employee_no))
            continue
        if row.unit_path and not row.left and not _within(target or units.nearest(row.unit_path), scope):
            report.rejected.append(Rejected(row.number, "组织路径", "out_of_scope", "/".join(row.unit_path)))
            continue
        owner = email_owner.get(row.email)
        if row.email and owner is not None and owner.employee_no != row.employee_no:
            # name the other person only to someone who may see them
            other = owner.employee_no if _within(owner.org_unit, scope) else ""
            report.rejected.append(Rejected(row.number, "邮箱", "email_taken" if other else "email_taken_elsewhere",
                                            row.email, other))
            continue
        if target is not None:
            covered[target.id] = row.unit_path
        listed.append(row.unit_path)
        path_text = "/".join(row.unit_path)
        if user is None:
            if row.left:
                report.changes.append(Change(row.number, row.employee_no, row.name, "unchanged", path_text))
                continue
            units.need(row.unit_path)
            report.changes.append(Change(row.number, row.employee_no, row.name, "create", path_text))
            continue
        if row.left:
            action = "deactivate" if user.active else "unchanged"
            report.changes.append(Change(row.number, row.employee_no, row.name, action, path_text))
            continue
        changed = [name for name, old, new in (
            ("姓名", user.name, row.name), ("岗位", user.position, row.position or user.position),
            ("邮箱", user.email or "", row.email or user.email or ""), ("手机", user.phone or "", row.phone or user.phone or ""),
        ) if old != new]
        moved_from = ""
        if target is None or target.id != user.org_unit_id:
            units.need(row.unit_path)
            changed.append("组织路径")
            moved_from = "/".join(units.names.get(user.org_unit_id or 0, ()))
        if not user.active:
            changed.append("状态")
        action = "update" if changed else "unchanged"
        report.changes.append(Change(row.number, row.employee_no, row.name, action, path_text, tuple(changed), moved_from))
    if full:
        _plan_leavers(report, units, covered, listed, set(numbers), scope)
    report.new_units = ["/".join(p) for p in units.new]
    report.renamed_units = [("/".join(units.names[u.id]), "/".join(to)) for u, to in units.renamed]
    yield "check", len(rows), len(rows)
    return units


def _batches(values: list[str], size: int = 500) -> Iterator[list[str]]:
    """Query in slices: one IN list of 100,000 values passes SQLite's variable limit."""
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _drain(steps: Generator[Step, None, Any], progress: Progress | None = None) -> Any:
    """Run steps to the end (passing the apply steps to ``progress``) and return what they return."""
    while True:
        try:
            stage, done, total = next(steps)
        except StopIteration as stop:
            return stop.value
        if progress is not None and stage == "apply":
            progress(done, total)


def _renames(rows: list[Row], units: _Units, existing: dict[str, User],
             scope: list[str] | None) -> list[tuple[OrgUnit, tuple[str, ...]]]:
    """Departments the file renamed: (unit, new name path) pairs.

    A unit U reads as renamed to P when U's name path appears nowhere in the file (neither
    as a row's unit nor above one), P is new and sits under U's parent, every active person
    of U's subtree is in the file, and every one of them not leaving is listed at P, or at
    P plus the same sub-units they sit in now. Anything less clear (some people listed
    elsewhere, two units pointing at one new name, a parent renamed along with a child)
    stays a new unit plus moves, as the file says.
    """
    in_file = {r.unit_path[:n] for r in rows for n in range(1, len(r.unit_path) + 1)}
    votes: dict[int, set[tuple[str, ...] | None]] = {}  # unit id -> new paths its people point at
    voters: dict[int, set[str]] = {}
    for row in rows:
        user = existing.get(row.employee_no)
        if user is None or not user.active or user.org_unit_id is None:
            continue
        now = units.names.get(user.org_unit_id, ())
        gone = [n for n in range(1, len(now) + 1) if now[:n] not in in_file]
        if not gone:
            continue
        level = gone[0]  # the highest unit of the person's path that the file no longer names
        unit = units.by_path[now[:level]]
        if row.left:
            voters.setdefault(unit.id, set()).add(row.employee_no)
            continue
        to = row.unit_path[:level]
        same_shape = (len(row.unit_path) == len(now) and row.unit_path[:level - 1] == now[:level - 1]
                      and row.unit_path[level:] == now[level:] and to not in units.by_path)
        votes.setdefault(unit.id, set()).add(to if same_shape else None)
        voters.setdefault(unit.id, set()).add(row.employee_no)
    targets: dict[tuple[str, ...], list[int]] = {}
    for unit_id, paths in votes.items():
        if len(paths) == 1 and None not in paths:
            targets.setdefault(next(iter(paths)), []).append(unit_id)  # type: ignore[arg-type]  # None excluded above
    found = []
    for to, unit_ids in targets.items():
        unit = units.by_path[units.names[unit_ids[0]]]
        if len(unit_ids) != 1 or not _within(unit, scope):
            continue
        active = set(db.session.execute(
            select(User.employee_no).join(OrgUnit, OrgUnit.id == User.org_unit_id)
            .where(User.active.is_(True), within([unit.path]))).scalars())
        if active == voters[unit.id]:
            found.append((unit, to))
    return found


def _plan_leavers(report: ImportReport, units: _Units, covered: dict[int, tuple[str, ...]],
                  listed: list[tuple[str, ...]], numbers: set[str], scope: list[str] | None) -> None:
    """With --full: active people of what the file covers who are missing from it leave.

    The file covers a unit when some accepted row places a person in it (a leaver's row
    too). It covers the unit's whole subtree when, besides, some row places a person in a
    unit below it: a list that reaches below a unit is taken as the full list of that
    branch, so the people of a department dropped from it (dissolved, say) leave as well.
    A unit listed only with its own people covers only itself: its sub-units are left
    alone. Whatever is covered, nobody outside the importer's scope is ever deactivated.
    """
    if not covered or scope == []:
        return
    by_id = {u.id: u for u in units.by_path.values()}
    roots = sorted((by_id[uid] for uid, parts in covered.items()
                    if uid in by_id and any(len(p) > len(parts) and p[:len(parts)] == parts for p in listed)),
                   key=lambda u: len(u.path))
    subtrees: list[str] = []
    for root in roots:
        if not path_within(root.path, subtrees):
            subtrees.append(root.path)
    exact = [uid for uid in covered if not path_within(by_id[uid].path, subtrees)] if subtrees else list(covered)
    where: list[ColumnElement[bool]] = [OrgUnit.id.in_(exact)] if exact else []
    where.append(within(subtrees))
    query = (select(User).join(OrgUnit, OrgUnit.id == User.org_unit_id)
             .where(or_(*where), User.active.is_(True), User.employee_no.not_in(numbers)).order_by(User.employee_no))
    if scope is not None:
        query = query.where(within(scope))
    for user in db.session.execute(query).scalars():
        report.changes.append(Change(0, user.employee_no, user.name, "deactivate",
                                     "/".join(units.names.get(user.org_unit_id or 0, ())), fields=("absent",)))


# --- applying --------------------------------------------------------------------

def _create_units(units: _Units) -> None:
    for parts in units.new:
        parent = units.by_path.get(parts[:-1]) if len(parts) > 1 else None
        units.by_path[parts] = org.create_unit(parts[-1], parent=parent, kind=org.kind_at(len(parts) - 1), commit=False)


def _apply(rows: list[Row], report: ImportReport, units: _Units) -> Iterator[Step]:
    by_no = {r.employee_no: r for r in rows}
    todo = [c for c in report.changes if c.action != "unchanged"]
    numbers = [c.employee_no for c in todo]
    users = {u.employee_no: u for batch in _batches(numbers)
             for u in db.session.execute(select(User).where(User.employee_no.in_(batch))).scalars()}
    touched: list[User] = []  # their assignments and report rows follow in one batch at the end
    for done, change in enumerate(todo, start=1):
        row = by_no.get(change.employee_no)
        user = users.get(change.employee_no)
        if change.action == "create" and row is not None:
            touched.append(accounts.create_user(row.employee_no, row.name, email=row.email or None,
                                                phone=row.phone or None, position=row.position,
                                                org_unit=units.by_path[row.unit_path], commit=False, refresh=False))
        elif change.action == "deactivate" and user is not None:
            user.active = False
            touched.append(user)
            # rows end with this import's commit; Redis forgets them now (a rollback then costs a database look-up only)
            sessions.forget(sessions.end_all(user.id, "deactivated"))
        elif change.action == "update" and user is not None and row is not None:
            user.name = row.name
            user.position = row.position or user.position
            user.email = row.email or user.email
            user.phone = row.phone or user.phone
            user.org_unit_id = units.by_path[row.unit_path].id
            user.active = True
            touched.append(user)
        if done % STEP_EVERY == 0 and done != len(todo):
            yield "apply", done, len(todo)
    assignments.refresh_users(touched)
    if todo:
        yield "apply", len(todo), len(todo)


def import_people(data: bytes, filename: str, *, dry_run: bool = False, full: bool = False,
                  scope: list[str] | None = None, actor: User | None = None, ip: str = "",
                  progress: Progress | None = None, columns: dict[str, str] | None = None) -> ImportReport:
    """Read, check and (unless ``dry_run`` or any row is rejected) apply; one commit or none.

    ``progress`` hears (done, total) while rows are applied.
    """
    report: ImportReport = _drain(import_steps(data, filename, dry_run=dry_run, full=full, scope=scope,
                                               actor=actor, ip=ip, columns=columns), progress)
    return report


def import_steps(data: bytes, filename: str, *, dry_run: bool = False, full: bool = False,
                 scope: list[str] | None = None, actor: User | None = None,
                 ip: str = "", columns: dict[str, str] | None = None) -> Generator[Step, None, ImportReport]:
    """``import_people`` as steps, for a page that shows rows checked and applied as they go.

    Abandoned half-way (the browser went away), it rolls back: nothing is half-applied.
    """
    report = ImportReport()
    rows = parse_rows(read_table(data, filename), report, base=_base_names(scope), columns=columns)
    units = yield from plan_steps(rows, report, full=full, scope=scope)
    if dry_run or report.rejected or not report.has_changes:
        db.session.rollback()
        return report
    try:
        for unit, to in units.renamed:
            audit.record("org_unit_renamed", actor=actor, ip=ip, unit=unit.id, old=unit.name, new=to[-1])
            unit.name = to[-1]
        _create_units(units)
        yield from _apply(rows, report, units)
        summary = report.summary()
        audit.record("people_imported", actor=actor, ip=ip, file=filename[:120],
                     **{k: summary[k] for k in ("created", "updated", "deactivated", "unchanged")})
        db.session.commit()
    except BaseException:  # GeneratorExit too: a stream closed half-way leaves nothing behind
        db.session.rollback()
        raise
    report.applied = True
    return report
