"""Deterministic demo organisation: the same people, units and progress on every machine."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from academy.assessment.services import quizzes
from academy.content import quizzes as quizdefs
from academy.content.quizbank import match_keys
from academy.database import db, utcnow
from academy.grading import to_display
from academy.learning.services import progress
from academy.models import Course, OrgUnit, Role, TargetKind, UnitKind, User, UserRole
from academy.people.services import accounts, assignments, org

DEMO_PASSWORD = "QsDemo-2026"  # noqa: S105 - published demo login, printed by `make run`
GROUP = "华联装备集团"
SUBSIDIARIES = (
    ("华东轨道交通装备公司", ("质量部", "技术中心", "转向架制造部", "人力资源部")),
    ("西南电力装备公司", ("质量部", "研发中心", "变压器制造部", "综合管理部")),
    ("北方海洋工程公司", ("质量安全部", "设计院", "船体建造部", "人力资源部")),
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱覃武戴孔汤庞樊兰殷施陶洪翟安颜倪严牛温芦季俞章鲁葛伍申尤毕聂柴焦向柳邢岳齐梅莫庄辛管祝左涂谷祁时舒耿牟卜路詹关苗凌费纪靳盛童欧甄项曲成游阳裴席卫查屈鲍位覃霍翁隋植甘景薄单包司柏宁柯阮桂闵欧解强柴华车冉房边"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强海燕鹏飞晓东丹玉兰红梅文斌立新志明春梅慧敏宇航子涵浩然欣怡雨萱俊杰思远嘉怡博文佳琪国栋卫东晓峰振华永强雪梅玉珍德明"
POSITIONS = ("操作工", "班组长", "质量工程师", "工艺工程师", "检验员", "标准化工程师", "设计工程师", "内审员", "部门经理", "职员")


DEMO_DOMAIN = "demo.qs-academy.local"


@dataclass(frozen=True)
class DemoLogin:
    role: str  # a Role value, or "learner"
    employee_no: str  # for learners, the first and last number: "100001–100300"


def demo_logins() -> list[DemoLogin]:
    """The demo accounts as the database holds them: each staff login, then the learners' range."""
    demo = list(db.session.execute(select(User).where(User.email.endswith(f"@{DEMO_DOMAIN}")).order_by(User.id)).scalars())
    logins = [DemoLogin(str(user.roles[0].role), user.employee_no) for user in demo if user.roles]
    learners = [user.employee_no for user in demo if not user.roles]
    if learners:
        logins.append(DemoLogin("learner", f"{learners[0]}–{learners[-1]}" if len(learners) > 1 else learners[0]))
    return logins


def _names(rng: random.Random, count: int) -> list[str]:
    given_two = [GIVEN[i : i + 2] for i in range(0, len(GIVEN) - 1, 2)]
    names: list[str] = []
    while len(names) < count:
        given = rng.choice(given_two) if rng.random() < 0.6 else rng.choice(GIVEN)
        name = rng.choice(SURNAMES) + given
        if name not in names:
            names.append(name)
    return names


def has_data() -> bool:
    return bool(db.session.execute(select(func.count()).select_from(User)).scalar_one())


def seed_demo(*, employees: int = 300, history: bool = False) -> list[DemoLogin]:
    """``history``: attempts, certificates and six months of completions, drawn from the published banks."""
    rng = random.Random(2022)  # the guideline's year: any fixed seed keeps the demo deterministic
    group = org.create_unit(GROUP, kind=UnitKind.GROUP, commit=False)
    departments = []
    subsidiaries = []
    for name, depts in SUBSIDIARIES:
        sub = org.create_unit(name, parent=group, kind=UnitKind.SUBSIDIARY, commit=False)
        subsidiaries.append(sub)
        for dept in depts:
            departments.append(org.create_unit(dept, parent=sub, commit=False))
    shared_hash = accounts.hash_password(DEMO_PASSWORD)  # one hash: hashing 300 times is slow

    def add(no: str, name: str, unit: object, position: str, roles: tuple[tuple[Role, object], ...] = ()) -> User:
        user = User(employee_no=no, name=name, email=f"{no.lower()}@{DEMO_DOMAIN}",
                    org_unit_id=unit.id, position=position, password_hash=shared_hash)  # type: ignore[attr-defined]
        for role, scope in roles:
            user.roles.append(UserRole(role=role, scope_unit_id=scope.id if scope else None))  # type: ignore[attr-defined]
        db.session.add(user)
        return user

    names = _names(rng, employees + 8)
    add("A0001", names.pop(), group, "系统管理员", ((Role.ADMIN, None),))
    add("Z0001", names.pop(), group, "质量专家", ((Role.AUTHOR, None),))
    add("C0001", names.pop(), group, "竞赛主持人", ((Role.HOST, None),))
    for n, sub in enumerate(subsidiaries, start=1):
        hr_dept = next(d for d in departments if d.parent_id == sub.id and ("人力" in d.name or "综合" in d.name))
        add(f"H{n}001", names.pop(), hr_dept, "培训主管", ((Role.HR, sub),))
    learners = []
    for n in range(employees):
        dept = departments[n % len(departments)]
        learners.append(add(f"{100001 + n}", names.pop(), dept, rng.choice(POSITIONS)))
    db.session.commit()
    if history:  # the months before: older history first, so later activity never predates it
        _seed_story(rng, learners, departments)
    _seed_progress(rng, learners)
    _seed_assignments(group, subsidiaries[0])
    if history:
        _seed_exams(rng, learners)
    return demo_logins()


def _seed_progress(rng: random.Random, learners: list[User]) -> None:
    courses = list(db.session.execute(
        select(Course).where(Course.retired.is_(False), Course.tier == "all-staff").order_by(Course.position)
    ).scalars())
    if not courses:
        return
    start = utcnow() - timedelta(days=60)
    for user in learners[: len(learners) // 2]:
        course = rng.choice(courses)
        lessons = course.live_lessons
        for k, lesson in enumerate(lessons[: rng.randint(1, len(lessons))]):
            when = start + timedelta(days=rng.randint(0, 55), minutes=k * 30)
            progress.open_lesson(user, lesson, now=when)
            progress.complete_lesson(user, lesson, now=when + timedelta(minutes=20))


def _course(slug: str) -> Course | None:
    return db.session.execute(select(Course).where(Course.slug == slug, Course.retired.is_(False))).scalar_one_or_none()


def _seed_assignments(group: OrgUnit, east: OrgUnit) -> None:
    """A group-wide mandatory path due next month, and one subsidiary course already overdue."""
    today = utcnow().date()
    path = [c for c in (_course("qs-basics"), _course("tqm-fundamentals")) if c is not None]
    if path:
        assignments.create_assignment(title="全员通识必修", courses=path, target_kind=TargetKind.UNIT,
                                      unit=group, due_on=today + timedelta(days=30))
    safety = _course("quality-safety-risk")
    if safety is not None:
        assignments.create_assignment(title="质量安全专项培训", courses=[safety], target_kind=TargetKind.UNIT,
                                      unit=east, due_on=today - timedelta(days=10))


# Share of each department of the first subsidiary that finished its overdue safety course, so the
# HR home and the report have units ahead and behind; the rest are the overdue list.
STORY_SHARES = {"质量部": 0.9, "技术中心": 0.7, "人力资源部": 0.5, "转向架制造部": 0.25}
STORY_DAYS = 180  # completions spread over the last six months, for the trend


def _seed_story(rng: random.Random, learners: list[User], departments: list[OrgUnit]) -> None:
    """Six months of finished safety courses in the first subsidiary, and a certificate for learner 100001."""
    sources = quizzes.sources()
    safety = _course("quality-safety-risk")
    path = [c for c in (_course("qs-basics"), _course("tqm-fundamentals")) if c is not None and c.meta.get("final_exam")]
    first = departments[0].parent_id
    units = {d.id: d.name for d in departments if d.parent_id == first}

    def finish(user: User, course: Course, when: datetime) -> None:
        final = quizdefs.final_exam(course.slug, course.title, course.title_en, course.meta["bank"], course.meta["final_exam"])
        for k, lesson in enumerate(course.live_lessons):
            progress.open_lesson(user, lesson, now=when + timedelta(minutes=40 * k))
            progress.complete_lesson(user, lesson, now=when + timedelta(minutes=40 * k + 30))
        _sit(user, final, sources, rng, skill=1.0, now=when + timedelta(hours=4))

    if safety is not None and safety.meta.get("final_exam"):
        for user in learners:
            share = STORY_SHARES.get(units.get(user.org_unit_id or 0, ""), 0.0)
            if rng.random() >= share:
                continue
            finish(user, safety, utcnow() - timedelta(days=rng.randint(12, STORY_DAYS), hours=rng.randint(0, 8)))
            if rng.random() < share * 0.7:  # the keenest also finished the group's path, due next month
                for course in path:
                    finish(user, course, utcnow() - timedelta(days=rng.randint(2, STORY_DAYS // 2), hours=rng.randint(0, 8)))
    exam = sources.exams.get("cert-all-staff")
    if exam is not None and learners:
        _sit(learners[0], quizdefs.exam(exam), sources, rng, skill=1.0, now=utcnow() - timedelta(days=40))


def _model_answer(question: Any) -> Any:
    """The key in the form a learner's answer is stored (option indices, words, numbers)."""
    kind = question.type.value
    if kind == "single":
        return question.correct[0]
    if kind == "multiple":
        return list(question.correct)
    if kind == "truefalse":
        return question.truth
    if kind == "fill":
        return [variants[0] for variants in question.blanks]
    if kind == "numeric":
        return f"{(question.low + question.high) / 2:g}"
    if kind == "matching":
        return match_keys(question)
    return list(range(len(question.options)))  # ordering: the authored order


def _sit(user: User, quiz: quizdefs.QuizDef, sources: quizdefs.Sources, rng: random.Random, skill: float,
         now: datetime | None = None) -> None:
    """Take a quiz through the real attempt service, answering each question right with chance ``skill``."""
    attempt = quizzes.start_or_resume(user, quiz, sources, rnd=rng, now=now)
    for item in quizzes.paper_of(attempt).items:
        if rng.random() < skill:
            quizzes.save_answer(attempt, item.question.id, to_display(item.question, _model_answer(item.question), item.order),
                                now=now)
    quizzes.submit(attempt, now=now + timedelta(minutes=20) if now else None)


def _seed_exams(rng: random.Random, learners: list[User]) -> None:
    """Some learners finish the first all-staff course with its final exam; a few hold the certificate."""
    sources = quizzes.sources()
    course = _course("qs-basics")
    if course is None or not course.meta.get("final_exam"):
        return
    final = quizdefs.final_exam(course.slug, course.title, course.title_en, course.meta["bank"], course.meta["final_exam"])
    for user in learners[150:190]:
        for lesson in course.live_lessons:
            progress.complete_lesson(user, lesson)
        _sit(user, final, sources, rng, skill=rng.uniform(0.7, 1.0))
    exam = sources.exams.get("cert-all-staff")
    if exam is not None:
        for user in learners[150:158]:
            _sit(user, quizdefs.exam(exam), sources, rng, skill=0.95)
