"""Which assignments reach an HR user's people, and how far those people have got.

An assignment made above an HR user's subtree (at group level, say) still applies to their
people; they see it read-only, with numbers counted over their own subtree only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, select

from academy.database import db
from academy.learning.services import course_status
from academy.models import Assignment, OrgUnit
from academy.people.models.org import within


@dataclass(frozen=True)
class Reach:
    assignment: Assignment
    people: int  # active people of the viewer's subtree it applies to
    completed: int  # … who completed all its courses
    overdue: int  # … past its due date and not done


def _inside(paths: list[str] | None, column):  # type: ignore[no-untyped-def]  # a path column -> a condition
    if paths is None:
        return None
    return within(paths, column)


def reaching(scope_paths: list[str] | None, *, today: date) -> list[Reach]:
    """Assignments made inside the subtrees or applying to someone in them, newest first (three queries)."""
    in_scope = _inside(scope_paths, OrgUnit.path)
    # the status table follows the current round of a recurring assignment, as the reports do
    status = course_status.items().c  # with assigned certifications
    pairs = (select(status.assignment_id.label("assignment_id"), func.count().label("n"),
                    func.count(status.completed_at).label("done"), func.min(status.due_on).label("due_on"))
             .join(OrgUnit, OrgUnit.id == status.unit_id)
             .where(status.active.is_(True), *([in_scope] if in_scope is not None else []))
             .group_by(status.assignment_id, status.user_id)
             .subquery("pairs"))
    done = pairs.c.done >= pairs.c.n
    counts = {row[0]: (int(row[1]), int(row[2] or 0), int(row[3] or 0)) for row in db.session.execute(
        select(pairs.c.assignment_id, func.count(),
               func.sum(case((done, 1), else_=0)),
               func.sum(case((and_(~done, pairs.c.due_on < today), 1), else_=0)))
        .group_by(pairs.c.assignment_id))}
    made_inside = select(Assignment.id).join(OrgUnit, OrgUnit.id == Assignment.unit_id)
    if in_scope is not None:
        made_inside = made_inside.where(in_scope)
    own = set(db.session.execute(made_inside).scalars())
    ids = own | counts.keys()
    if not ids:
        return []
    found = db.session.execute(select(Assignment).where(Assignment.id.in_(ids)).order_by(Assignment.id.desc())).scalars()
    return [Reach(a, *counts.get(a.id, (0, 0, 0))) for a in found]
