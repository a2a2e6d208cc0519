"""Which assignments reach an HR user's people, and how far those people have got.

An assignment made above an HR user's subtree (at group level, say) still applies to their
people; they see it read-only, with numbers counted over their own subtree only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, false, func, or_, select

from ..database import db
from ..models import Assignment, AssignmentCourse, AssignmentTarget, Enrollment, OrgUnit, User


@dataclass(frozen=True)
class Reach:
    assignment: Assignment
    people: int  # active people of the viewer's subtree it applies to
    completed: int  # … who completed all its courses
    overdue: int  # … past its due date and not done


def _inside(paths: list[str] | None, column):  # type: ignore[no-untyped-def]  # a path column -> a condition
    if paths is None:
        return None
    return or_(false(), *[column.startswith(p) for p in paths])


def reaching(scope_paths: list[str] | None, *, today: date) -> list[Reach]:
    """Assignments made inside the subtrees or applying to someone in them, newest first (three queries)."""
    in_scope = _inside(scope_paths, OrgUnit.path)
    pairs = (select(AssignmentTarget.assignment_id.label("assignment_id"), func.count(AssignmentCourse.id).label("n"),
                    func.count(Enrollment.completed_at).label("done"))
             .join(User, User.id == AssignmentTarget.user_id)
             .join(OrgUnit, OrgUnit.id == User.org_unit_id)
             .join(AssignmentCourse, AssignmentCourse.assignment_id == AssignmentTarget.assignment_id)
             .outerjoin(Enrollment, and_(Enrollment.user_id == AssignmentTarget.user_id,
                                         Enrollment.course_id == AssignmentCourse.course_id))
             .where(User.active.is_(True), *([in_scope] if in_scope is not None else []))
             .group_by(AssignmentTarget.assignment_id, AssignmentTarget.user_id)
             .subquery("pairs"))
    done = pairs.c.done >= pairs.c.n
    counts = {row[0]: (int(row[1]), int(row[2] or 0), int(row[3] or 0)) for row in db.session.execute(
        select(pairs.c.assignment_id, func.count(),
               func.sum(case((done, 1), else_=0)),
               func.sum(case((and_(~done, Assignment.due_on < today), 1), else_=0)))
        .join(Assignment, Assignment.id == pairs.c.assignment_id)
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
