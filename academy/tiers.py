"""The four tiers of the curriculum: one enumeration, its canonical order and its labels.

Every listing of tiers (catalogue, certificates, reports, exports) follows :data:`TIER_ORDER`.
"""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Tier(StrEnum):
    ALL_STAFF = "all-staff"
    PRACTITIONER = "practitioner"
    EXPERT = "expert"
    LEADERSHIP = "leadership"


TIER_ORDER = (Tier.ALL_STAFF, Tier.PRACTITIONER, Tier.EXPERT, Tier.LEADERSHIP)

_LABELS = {
    Tier.ALL_STAFF: (_l("All staff"), _l("for every employee")),
    Tier.PRACTITIONER: (_l("Practitioners"), _l("quality engineers, auditors, standardization staff")),
    Tier.EXPERT: (_l("Experts"), _l("improvement leaders, senior engineers, standards delegates")),
    Tier.LEADERSHIP: (_l("Leadership"), _l("executives and the first person accountable")),
}


def rank(tier: str) -> int:
    """Position in the canonical order; an unknown tier sorts last."""
    return TIER_ORDER.index(Tier(tier)) if tier in _VALUES else len(TIER_ORDER)


def label(tier: str) -> str:
    """The tier's name in the current language; an unknown value is shown as it is."""
    return str(_LABELS[Tier(tier)][0]) if tier in _VALUES else tier


def audience(tier: str) -> str:
    return str(_LABELS[Tier(tier)][1]) if tier in _VALUES else ""


_VALUES = frozenset(t.value for t in Tier)
