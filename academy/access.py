"""Load-and-authorise: the only way routes obtain objects and check permissions.

The rows come from the services' reads; this module holds the rules and no query of its own
(import-linter keeps the database out of it).

Unknown and forbidden look the same (404) where existence is private.
"""

from __future__ import annotations

from flask import abort

from academy.assessment.services import accommodations, awards, certificates, quizzes
from academy.competition_rules import admits, quiz_def
from academy.competitions.services import competitions, live, live_judges
from academy.content import quizzes as quizdefs
from academy.content.quizzes import QuizDef
from academy.learning.services import classroom, courses, evaluations, external, plans, published
from academy.models import (
    Assignment,
    Attempt,
    AttemptHead,
    AwardCertificate,
    Certificate,
    ClassroomSession,
    Competition,
    Course,
    ExamOverride,
    ExternalRecord,
    Lesson,
    LiveEvent,
    LivePlayer,
    LiveTeam,
    Notice,
    OrgUnit,
    Role,
    Trainer,
    TrainingPlan,
    User,
)
from academy.people.models.org import path_within
from academy.people.services import accounts, assignments, notices, org, trainers


def has_role(user: User, role: Role) -> bool:
    if not user.is_authenticated:
        return False
    return user.has_role(role) or user.has_role(Role.ADMIN)


def require_role(user: User, *roles: Role) -> None:
    """403 unless the user holds one of the roles (admins hold them all)."""
    if not any(has_role(user, role) for role in roles):
        abort(403)


def can_manage_content(user: User) -> bool:
    return has_role(user, Role.AUTHOR)


def can_view_reports(user: User) -> bool:
    return has_role(user, Role.HR)


def is_admin(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.ADMIN)


def hr_scopes(user: User) -> list[OrgUnit] | None:
    """Org subtrees an HR user may see; None means everything (admins)."""
    if is_admin(user):
        return None
    return [r.scope_unit for r in user.roles if r.role == Role.HR and r.scope_unit is not None]


def in_scope(viewer: User, unit: OrgUnit | None) -> bool:
    scopes = hr_scopes(viewer)
    if scopes is None:
        return True
    if unit is None:
        return False
    return path_within(unit.path, [scope.path for scope in scopes])


def course_for_learner(slug: str) -> Course:
    course = courses.by_slug(slug)
    if course is None:
        abort(404)
    if course.retired:
        abort(404)
    return course


def lesson_for_learner(course_slug: str, lesson_slug: str) -> Lesson:
    course = course_for_learner(course_slug)
    lesson = next((x for x in course.lessons if x.slug == lesson_slug), None)
    if lesson is None:
        abort(404)
    if lesson.retired:
        abort(404)
    return lesson


def published_course(slug: str) -> tuple[published.Snapshot, published.PublishedCourse]:
    """A live course from the cached published content; retired or unknown: 404."""
    snap = published.snapshot()
    course = snap.by_slug.get(slug)
    if course is None:
        abort(404)
    return snap, course


def published_lesson(course_slug: str, lesson_slug: str) -> tuple[
        published.Snapshot, published.PublishedCourse, published.PublishedLesson]:
    snap, course = published_course(course_slug)
    lesson = course.lesson(lesson_slug)
    if lesson is None:
        abort(404)
    return snap, course, lesson


def user_for_admin(viewer: User, user_id: int) -> User:
    """Account administration is for admins; anyone else gets 404, as if the account did not exist."""
    if not is_admin(viewer):
        abort(404)
    user = accounts.get(user_id)
    if user is None:
        abort(404)
    return user


# --- HR scope: every query for people and numbers goes through these -----------------

def scope_paths(viewer: User) -> list[str] | None:
    """Materialised paths of the subtrees the viewer may see; None means everything."""
    scopes = hr_scopes(viewer)
    return None if scopes is None else [s.path for s in scopes]


def hr_home_unit(viewer: User) -> OrgUnit:
    """Where the HR pages open: the viewer's first scope, or the root for admins."""
    scopes = hr_scopes(viewer)
    if scopes is None:
        root = org.root()
        if root is None:
            abort(404)
        return root
    if not scopes:
        abort(404)
    return scopes[0]


def unit_for_hr(viewer: User, unit_id: int | None) -> OrgUnit:
    """An org unit the viewer may report on; 404 when unknown or outside the scope."""
    if unit_id is None:
        return hr_home_unit(viewer)
    unit = org.get(unit_id)
    if unit is None:
        abort(404)
    if not in_scope(viewer, unit):
        abort(404)
    return unit


def person_for_hr(viewer: User, user_id: int) -> User:
    """A person whose records the viewer may see; 404 when unknown or outside the scope."""
    person = accounts.get(user_id)
    if person is None:
        abort(404)
    if not in_scope(viewer, person.org_unit):
        abort(404)
    return person


def person_for_password_reset(viewer: User, user_id: int) -> User:
    """Admins reset anyone's password; HR only learners in their scope (never another HR user, a host, an
    author or an admin: that would hand HR those rights). Anyone else gets 404."""
    person = accounts.get(user_id)
    if person is None:
        abort(404)
    if is_admin(viewer):
        return person
    if not can_view_reports(viewer) or not in_scope(viewer, person.org_unit) or person.role_names():
        abort(404)
    return person


def may_reset_password(viewer: User, person: User) -> bool:
    return is_admin(viewer) or (can_view_reports(viewer) and in_scope(viewer, person.org_unit) and not person.role_names())


def notice_for_owner(viewer: User, notice_id: int) -> Notice:
    """A notice is its addressee's alone: anyone else gets 404."""
    notice = notices.get(notice_id)
    if notice is None:
        abort(404)
    if notice.user_id != viewer.id:
        abort(404)
    return notice


def can_edit_assignment(viewer: User, assignment: Assignment) -> bool:
    """Only assignments made for a unit inside the viewer's scope; those made above it are read-only."""
    return in_scope(viewer, assignment.unit)


def assignment_for_hr(viewer: User, assignment_id: int) -> Assignment:
    """An assignment the viewer may change; one made above their scope (shown read-only) is 404 here."""
    assignment = assignments.get(assignment_id)
    if assignment is None:
        abort(404)
    if not can_edit_assignment(viewer, assignment):
        abort(404)
    return assignment


def people_for_hr(viewer: User, user_ids: list[int]) -> list[User]:
    """Named people for an assignment; 404 if any is unknown or outside the scope."""
    return [person_for_hr(viewer, i) for i in user_ids]


# -- quizzes ------------------------------------------------------------------------------------

def _course_quiz(course: Course, kind: str, lesson_slug: str | None) -> QuizDef | None:
    meta = course.meta or {}
    bank = meta.get("bank")
    if not bank:
        return None
    if kind == quizdefs.Kind.FINAL and meta.get("final_exam"):
        return quizdefs.final_exam(course.slug, course.title, course.title_en, bank, meta["final_exam"])
    if kind == quizdefs.Kind.CHECK and meta.get("lesson_check") and lesson_slug:
        lesson = next((x for x in course.live_lessons if x.slug == lesson_slug), None)
        if lesson is None:
            return None
        return quizdefs.lesson_check(course.slug, lesson.slug, lesson.title, bank, meta["lesson_check"]["questions"])
    return None


def quiz_by_key(key: str) -> QuizDef | None:
    """The quiz a key names ("check/<course>/<lesson>", "final/<course>", "exam/<id>"), if it still exists."""
    ident = quizdefs.QuizKey.parse(key)
    if ident is None:
        return None
    if ident.kind == quizdefs.Kind.COMPETITION:
        found = _competition(ident.ref)
        return quiz_def(found) if found else None
    if ident.kind == quizdefs.Kind.EXAM:
        definition = quizzes.sources().exams.get(ident.ref)
        return quizdefs.exam(definition) if definition else None
    course = courses.by_slug(ident.course)
    if course is None:
        return None
    if course.retired:
        return None
    return _course_quiz(course, ident.kind, ident.lesson)


def quiz_for_learner(user: User, key: str) -> QuizDef:
    """404 for an unknown quiz; every signed-in employee may sit any published quiz, and a round those it admits."""
    quiz = quiz_by_key(key)
    if quiz is None:
        abort(404)
    if quiz.kind == quizdefs.Kind.COMPETITION:
        competition_for_entrant(user, quiz.ref)
    return quiz


def attempt_for_owner(user: User, attempt_id: int) -> Attempt:
    """Answering and submitting: only the learner who started the attempt; anyone else gets 404."""
    attempt = quizzes.attempt(attempt_id)
    if attempt is None:
        abort(404)
    if attempt.user_id != user.id:
        abort(404)
    return attempt


def own_attempt_head(user: User, head: AttemptHead | None) -> AttemptHead:
    """Saving one answer: the same rule as ``attempt_for_owner``, on the row the view read (and
    locked) with ``quizzes.head_for_save``; a missing or another person's attempt gets 404."""
    if head is None or head.user_id != user.id:
        abort(404)
    return head


def can_review_people(viewer: User, person: User) -> bool:
    if is_admin(viewer):
        return True
    return can_view_reports(viewer) and in_scope(viewer, person.org_unit)


def attempt_for_viewer(user: User, attempt_id: int) -> Attempt:
    """Reading a result: the learner, HR for people in their scope, admins."""
    attempt = quizzes.attempt(attempt_id)
    if attempt is None:
        abort(404)
    if attempt.user_id != user.id and not can_review_people(user, attempt.user):
        abort(404)
    return attempt


def quiz_for_author(user: User, key: str) -> QuizDef:
    """Regrading and item statistics: authors, HR and admins."""
    require_role(user, Role.AUTHOR, Role.HR)
    return quiz_for_learner(user, key)


def regrade_scope(user: User) -> list[str] | None:
    """Whose attempts a regrade may touch: authors and admins fix a key for everyone, HR only their subtrees."""
    if is_admin(user) or can_manage_content(user):
        return None
    return scope_paths(user) or []


def certificate_for_owner(user: User, serial: str) -> Certificate:
    cert = certificates.by_serial(serial)
    if cert is None:
        abort(404)
    if cert.user_id != user.id and not can_review_people(user, cert.user):
        abort(404)
    return cert


def certificate_for_admin(user: User, serial: str) -> Certificate:
    require_role(user, Role.ADMIN)
    cert = certificates.by_serial(serial)
    if cert is None:
        abort(404)
    return cert


# --- live finals ---------------------------------------------------------------------------------

def can_host(user: User) -> bool:
    return has_role(user, Role.HOST)


def live_event(code: str) -> LiveEvent:
    """Any signed-in employee may open an event by its code; the code is the secret."""
    event = live.by_code(code.strip().upper())
    if event is None:
        abort(404)
    return event


def live_event_for_host(user: User, code: str) -> LiveEvent:
    event = live_event(code)
    if event.host_id == user.id:
        return event
    if is_admin(user):
        return event
    abort(404)


def live_player(user: User, event: LiveEvent) -> LivePlayer:
    player = live.player_of(event, user.id)
    if player is None:
        abort(404)
    return player


def is_live_judge(user: User, event: LiveEvent) -> bool:
    return user.is_authenticated and live_judges.is_judge(event, user.id)


def live_event_for_judge(user: User, code: str) -> LiveEvent:
    """The judges' page: the event's judges, its host and admins; anyone else 404."""
    event = live_event(code)
    if event.host_id == user.id or is_admin(user) or is_live_judge(user, event):
        return event
    abort(404)


def live_team(event: LiveEvent, team_id: int | None) -> LiveTeam:
    team = next((t for t in event.teams if t.id == team_id), None)
    if team is None:
        abort(404)
    return team


def live_event_player(event: LiveEvent, player_id: int) -> LivePlayer:
    player = live.player(player_id)
    if player is None or player.event_id != event.id:
        abort(404)
    return player


def may_judge_team(user: User, event: LiveEvent, team: LiveTeam) -> bool:
    """A judge never marks their own unit's team: the team's unit (or, for a named team, its players'
    units) must not hold the judge's unit. The host and admins mark any team."""
    if event.host_id == user.id or is_admin(user):
        return True
    if user.org_unit_id is None:
        return True
    mine = org.get(user.org_unit_id)
    return mine is None or not path_within(mine.path, live_judges.team_unit_paths(team))


def judged_events(user: User) -> list[LiveEvent]:
    return live_judges.judged_by(user.id)


def hosted_events(user: User) -> list[LiveEvent]:
    """A host's own events; an admin's list has everyone's."""
    return live.hosted(None if is_admin(user) else user.id)


# --- online rounds -----------------------------------------------------------------------------

def _competition(slug: str) -> Competition | None:
    return competitions.by_slug(slug)


def competition_for_entrant(user: User, slug: str) -> Competition:
    """Those the rules admit, the host and admins; anyone else gets 404."""
    competition = _competition(slug)
    if competition is None:
        abort(404)
    if admits(user, competition, org.paths_of(competition.unit_ids), user.org_unit):
        return competition
    if hosts_competition(user, competition):
        return competition
    abort(404)


def hosts_competition(user: User, competition: Competition) -> bool:
    """The round's own host (its creator) and admins; another host, even with the HOST role, does not."""
    return competition.host_id == user.id or is_admin(user)


def competition_for_host(user: User, slug: str) -> Competition:
    competition = _competition(slug)
    if competition is None:
        abort(404)
    if hosts_competition(user, competition):
        return competition
    abort(404)


def award_for_viewer(user: User, serial: str) -> AwardCertificate:
    """A person's award: the holder, HR over them, the host, admins. A unit's: its HR, the host, admins."""
    cert = awards.by_serial(serial)
    if cert is None:
        abort(404)
    if cert.user_id is not None and cert.user_id == user.id:
        return cert
    competition = competitions.get(cert.competition_id)
    if competition is not None and competition.host_id == user.id:
        return cert
    if is_admin(user):
        return cert
    holder = accounts.get(cert.user_id)
    if holder is not None and can_review_people(user, holder):
        return cert
    unit = org.get(cert.org_unit_id)
    if unit is not None and can_view_reports(user) and in_scope(user, unit):
        return cert
    abort(404)


# --- classroom sessions ----------------------------------------------------------------------

def classroom_session_for_staff(viewer: User, session_id: int) -> ClassroomSession:
    """The session's trainer, HR whose scope holds the organising unit, or an admin; else 404."""
    session = classroom.get(session_id)
    if session is None:
        abort(404)
    if session.trainer_id == viewer.id or is_admin(viewer):
        return session
    if can_view_reports(viewer) and in_scope(viewer, org.get(session.unit_id)):
        return session
    abort(404)


def can_run_sessions(user: User) -> bool:
    """HR (and admins) create sessions; a trainer reaches only the sessions they teach."""
    return can_view_reports(user)


def classroom_session_for_learner(viewer: User, session_id: int) -> ClassroomSession:
    """A session the learner may ask for (open to their unit, not ended) or already has a place on; else 404."""
    session = classroom.get(session_id)
    if session is None:
        abort(404)
    if classroom.may_request(session, viewer):
        return session
    if classroom.seat_of(session.id, viewer.id) is None:
        abort(404)
    return session


# --- external training and certificates -------------------------------------------------------

def external_record_for_viewer(viewer: User, record_id: int) -> ExternalRecord:
    """The item and its scan: the person who submitted it, HR over them, admins; anyone else 404."""
    record = external.get(record_id)
    if record is None:
        abort(404)
    if record.user_id == viewer.id:
        return record
    if not can_review_people(viewer, record.user):
        abort(404)
    return record


def external_record_for_reviewer(viewer: User, record_id: int) -> ExternalRecord:
    """Deciding on an item: HR over the person (never on their own), admins; anyone else 404."""
    record = external.get(record_id)
    if record is None:
        abort(404)
    if record.user_id == viewer.id:
        abort(404)
    if not can_review_people(viewer, record.user):
        abort(404)
    return record


# -- images imported beside a bank --------------------------------------------------------------

def _bank_in_reach(user: User, bank_id: str) -> bool:
    """Whether some quiz this person may sit draws from the bank (its images show in that quiz)."""
    if can_manage_content(user) or can_view_reports(user):
        return True
    if any((course.meta or {}).get("bank") == bank_id for course in published.snapshot().courses):
        return True
    if any(rule.bank == bank_id for exam in quizzes.sources().exams.values() for rule in exam.draw):
        return True
    for competition in competitions.drawing_from(bank_id):
        if competition.host_id == user.id or is_admin(user):
            return True
        if admits(user, competition, org.paths_of(competition.unit_ids), user.org_unit):
            return True
    return False


def bank_images_for_viewer(user: User, bank_id: str) -> None:
    """The images of a published bank are for those who may sit a quiz drawn from it, and authors
    and HR; anyone else, or a bank not published, gets 404."""
    if bank_id not in quizzes.sources().banks or not _bank_in_reach(user, bank_id):
        abort(404)


# --- blended training: accommodations, evaluations, trainers -------------------------------------

def exam_override_for_hr(viewer: User, override_id: int) -> ExamOverride:
    """An override for a person or unit inside the viewer's scope; 404 otherwise (and for learners)."""
    require_role(viewer, Role.HR)
    row = accommodations.get(override_id)
    if row is None:
        abort(404)
    target = row.user.org_unit if row.user is not None else row.unit
    if not in_scope(viewer, target):
        abort(404)
    return row


def unit_in_scope(viewer: User, unit_id: int | None) -> OrgUnit | None:
    """A unit named on an HR form: None when unknown or outside the viewer's scope."""
    unit = org.get(unit_id)
    return unit if unit is not None and in_scope(viewer, unit) else None


def person_in_scope(viewer: User, employee_no: str) -> User | None:
    """A person named on an HR form by employee number: None when unknown or outside the scope."""
    person = accounts.by_number(employee_no)
    return person if person is not None and in_scope(viewer, person.org_unit) else None


def course_to_evaluate(viewer: User, slug: str) -> Course:
    """A course the viewer completed; 404 otherwise (nothing to evaluate yet)."""
    course = course_for_learner(slug)
    if not evaluations.may_evaluate_course(viewer, course):
        abort(404)
    return course


def session_to_evaluate(viewer: User, session_id: int) -> ClassroomSession:
    """A session the viewer signed in to; 404 otherwise."""
    session = classroom.get(session_id)
    if session is None or not evaluations.may_evaluate_session(viewer, session):
        abort(404)
    return session


def course_for_results(viewer: User, slug: str) -> Course:
    """Evaluation results of a course: HR (their people's answers) and admins; learners 403."""
    require_role(viewer, Role.HR)
    course = courses.by_slug(slug)
    if course is None:
        abort(404)
    return course


def trainer_for_hr(viewer: User, trainer_id: int) -> Trainer:
    """A registered trainer of the viewer's scope; 404 otherwise (learners 403)."""
    require_role(viewer, Role.HR)
    row = trainers.get(trainer_id)
    if row is None or not in_scope(viewer, row.user.org_unit):
        abort(404)
    return row


def plan_for_hr(viewer: User, plan_id: int) -> TrainingPlan:
    """A plan of a unit inside the viewer's scope; 404 otherwise (learners 403)."""
    require_role(viewer, Role.HR)
    plan = plans.get(plan_id)
    if plan is None or not in_scope(viewer, plan.unit):
        abort(404)
    return plan
