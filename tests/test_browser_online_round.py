"""An online round in headless Chromium: the host sets it up, three learners sit their own papers
(one reloads half-way and loses nothing), the board ranks them, and after the close the host
sees the final results and issues the award certificates. No page shows the key before grading."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import select

from academy.assessment.services import quizzes
from academy.content.quizbank import QType, Question
from academy.database import db
from academy.grading import to_display
from academy.models import Attempt, AwardCertificate, Competition, Role, User, UserRole

from .conftest import _HASH, LiveServer, browser_log_in
from .support.quiz_browser import _answer

LEARNERS = (("30000001", "王小明", 3), ("30000002", "李四海", 2), ("30000003", "赵五", 0))  # how many they get right


def _wrong(page, q: Question, order: tuple[int, ...]) -> None:  # type: ignore[no-untyped-def]
    box = page.locator(f'fieldset[data-question="{q.id}"]')
    name = f"q-{q.id}"
    if q.type is QType.TRUEFALSE:
        box.locator(f'input[name="{name}"][value="{"false" if q.truth else "true"}"]').check()
    else:
        wrong = next(i for i in range(len(q.options)) if i not in q.correct)
        shown = to_display(q, [wrong], order)[0] if q.type is QType.MULTIPLE else to_display(q, wrong, order)
        box.locator(f'input[name="{name}"][value="{shown}"]').check()
    box.locator(".save-state").filter(has_text="✓").wait_for(timeout=5000)


def _no_key(html: str, questions: list[Question]) -> None:
    """Neither the marked options nor the explanations reach the browser before grading."""
    assert 'class="key' not in html
    assert 'class="explanation' not in html
    for q in questions:
        if q.explanation:
            assert q.explanation[:12] not in html, q.id


def _shown_order(page) -> list[tuple[str, tuple[str, ...]]]:  # type: ignore[no-untyped-def]
    return page.eval_on_selector_all(
        "fieldset[data-question]",
        "boxes => boxes.map(b => [b.dataset.question, [...b.querySelectorAll('label.option')].map(l => l.innerText.trim())])")


def test_online_round_from_setup_to_award_certificates(live_app: Flask, live_server: LiveServer, browser) -> None:  # type: ignore[no-untyped-def]
    with live_app.app_context():
        host = User(employee_no="C0001", name="竞赛主持", password_hash=_HASH)
        host.roles.append(UserRole(role=Role.HOST))
        db.session.add(host)
        db.session.add_all(User(employee_no=number, name=name, password_hash=_HASH) for number, name, _ in LEARNERS)
        db.session.commit()
    contexts = []

    def new_page():  # type: ignore[no-untyped-def]
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        contexts.append(context)
        return context.new_page()

    try:
        hosting = new_page()
        browser_log_in(hosting, live_server, "C0001")
        hosting.goto(f"{live_server.url}/competitions/new")
        zone = ZoneInfo(live_app.config["DISPLAY_TIMEZONE"])
        now = datetime.now(UTC).astimezone(zone)
        hosting.fill("input[name=title]", "质量月线上预赛")
        hosting.fill("textarea[name=rules]", "独立完成，不得查阅资料。")
        hosting.fill("input[name=opens_at]", (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
        hosting.fill("input[name=closes_at]", (now + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
        hosting.select_option("select[name=draw-0-bank]", "sample-course")
        hosting.fill("input[name=draw-0-count]", "3")
        for kind in ("single", "truefalse", "multiple"):
            hosting.check(f"input[name=draw-0-types][value={kind}]")
        hosting.fill("input[name=time_limit]", "30")
        hosting.fill("input[name=awards-0-name]", "一等奖")
        hosting.fill("input[name=awards-0-value]", "1")
        hosting.click("#awards [data-add]")
        hosting.fill("input[name=awards-1-name]", "二等奖")
        hosting.fill("input[name=awards-1-value]", "2")
        hosting.click("#create-round")
        hosting.wait_for_url(re.compile(r".*/competitions/[\w-]+$"))
        slug = hosting.url.rsplit("/", 1)[1]
        assert "质量月线上预赛" in hosting.content()

        papers: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for number, name, right in LEARNERS:
            page = new_page()
            browser_log_in(page, live_server, number)
            page.goto(f"{live_server.url}/competitions/{slug}")
            page.click("#enter")
            page.wait_for_url(re.compile(r".*/attempts/\d+$"))
            attempt_id = int(page.url.rsplit("/", 1)[1])
            with live_app.app_context():
                attempt = db.session.get(Attempt, attempt_id)
                assert attempt is not None
                items = [(i.question, i.order) for i in quizzes.paper_of(attempt).items]
            questions = [q for q, _ in items]
            # the page shows this learner's own paper: its question order and option order
            shown = _shown_order(page)
            assert [qid for qid, _ in shown] == [q.id for q in questions]
            for (qid, labels), (q, order) in zip(shown, items, strict=True):
                if q.type is not QType.TRUEFALSE:
                    assert [label.strip() for label in labels] == [q.options[i].strip() for i in order], qid
            papers[name] = [(qid, tuple(labels)) for qid, labels in shown]
            _no_key(page.content(), questions)

            for k, (q, order) in enumerate(items):
                (_answer if k < right else _wrong)(page, q, order)
                if name == "王小明" and k == 0:
                    page.reload()  # a closed tab mid-paper: what was given is still there
                    _no_key(page.content(), questions)
                    box = page.locator(f'fieldset[data-question="{q.id}"]')
                    assert box.evaluate("b => [...b.querySelectorAll('input')].some(e => e.checked)"), q.id
            for path in (f"/competitions/{slug}", f"/competitions/{slug}/board"):
                page.goto(f"{live_server.url}{path}")
                _no_key(page.content(), questions)
            page.goto(f"{live_server.url}/attempts/{attempt_id}")
            page.click("#submit-paper")
            page.click("#submit-dialog [data-dialog-submit]")  # the confirmation lists what is unanswered
            page.wait_for_selector(".result")
            _no_key(page.content(), questions)  # graded, but the answers are shown only after the close
            assert page.locator(".review-list").count() == 0  # not even right or wrong while others still sit it
        assert len({tuple(p) for p in papers.values()}) > 1, "every learner drew the same paper"

        with live_app.app_context():
            scores = {a.user.name: a.score for a in db.session.execute(select(Attempt)).scalars()}
        assert scores["王小明"] > scores["李四海"] > scores["赵五"]

        viewer = new_page()
        browser_log_in(viewer, live_server, "30000003")
        viewer.goto(f"{live_server.url}/competitions/{slug}/board")
        names = viewer.locator("#people tbody tr td:nth-child(2)").all_inner_texts()
        assert names == ["王小明", "李四海", "赵五"]
        assert viewer.locator("#issue-awards").count() == 0

        with live_app.app_context():  # two hours later: the window has closed
            competition = db.session.execute(select(Competition).where(Competition.slug == slug)).scalar_one()
            competition.closes_at = datetime.now(UTC) - timedelta(minutes=1)
            db.session.commit()
        hosting.goto(f"{live_server.url}/competitions/{slug}/board")
        rows = hosting.locator("#people tbody tr").all_inner_texts()
        assert [r.split("\t")[1] for r in rows] == ["王小明", "李四海", "赵五"]
        assert "一等奖" in rows[0]
        assert "二等奖" in rows[1]
        hosting.click("#issue-awards")
        hosting.wait_for_selector("#awards")
        assert "已颁发 2 张获奖证书" in hosting.content()
        with live_app.app_context():
            serial = db.session.execute(select(AwardCertificate.serial).join(User, User.id == AwardCertificate.user_id)
                                        .where(User.name == "王小明")).scalar_one()
        hosting.click("#issue-awards")  # again: nothing new
        hosting.wait_for_selector("#awards")
        assert "获奖证书均已颁发" in hosting.content()
        assert hosting.locator("#awards tbody tr").count() == 2

        winner = new_page()
        browser_log_in(winner, live_server, "30000001")
        winner.goto(f"{live_server.url}/me/certificates")
        assert "一等奖" in winner.locator("#my-awards").inner_text()
        winner.goto(f"{live_server.url}/verify/{serial}")
        assert "一等奖" in winner.content()
        assert "王*明" in winner.content()
    finally:
        for context in contexts:
            context.close()
