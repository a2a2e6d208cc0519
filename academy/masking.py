"""How personal data is shown to people who may see that someone exists but not who exactly.

Used by the public certificate check and by competition boards below the named top places.
"""

from __future__ import annotations


def mask_name(name: str) -> str:
    """张*明, 李*, J*** S****: enough to confirm, not enough to collect."""
    name = name.strip()
    if not name:
        return ""
    if " " in name:
        return " ".join(part[0] + "*" * (len(part) - 1) for part in name.split())
    if len(name) == 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_employee_no(number: str) -> str:
    return "****" + number[-4:] if len(number) > 4 else "*" * len(number)
