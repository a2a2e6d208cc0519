"""The tier enumeration is the one source of order and names for every listing."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_babel import force_locale

from academy import tiers
from academy.tiers import TIER_ORDER, Tier

ROOT = Path(__file__).resolve().parent.parent


def test_canonical_order_and_chinese_names(app: Flask) -> None:
    with app.test_request_context(), force_locale("zh"):
        assert [tiers.label(t) for t in TIER_ORDER] == ["全员通识", "专业人员", "骨干专家", "领导干部"]
    with app.test_request_context(), force_locale("en"):
        assert [tiers.label(t) for t in TIER_ORDER] == ["All staff", "Practitioners", "Experts", "Leadership"]
        assert tiers.audience("all-staff") == "for every employee"


def test_unknown_tier_sorts_last_and_shows_as_is(app: Flask) -> None:
    assert sorted(["leadership", "bogus", "all-staff", "expert", "practitioner"], key=tiers.rank) == [
        "all-staff", "practitioner", "expert", "leadership", "bogus"]
    with app.test_request_context():
        assert tiers.label("bogus") == "bogus"
        assert tiers.audience("bogus") == ""


def test_no_other_module_spells_the_tier_list() -> None:
    """A second hand-written list of the tiers would drift from this one."""
    offenders = []
    for path in [*(ROOT / "academy").rglob("*.py"), *(ROOT / "templates").rglob("*.*")]:
        if path.name == "tiers.py":
            continue
        text = path.read_text(encoding="utf-8")
        if '"practitioner"' in text or "'practitioner'" in text:
            offenders.append(path.relative_to(ROOT))
    assert offenders == []
    assert Tier("practitioner") is Tier.PRACTITIONER
