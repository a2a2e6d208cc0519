"""Single sign-on: accounts linked to the group's directory (LDAP / Active Directory) or to an
OpenID Connect identity platform, and the directory sync.

Each account has one identity source. ``local`` accounts with a password of their own (small
sites, break-glass administrators) sign in with it; every other account signs in through the
source it is linked to, and what that source says about the person (name, mail, phone,
department, position, roles from groups) is copied in at each login and each sync. An account
imported from the HR file that never had a password is linked to the first directory or OIDC
identity that proves the same employee number; after that no other identity can take it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from academy import directory
from academy.database import db, utcnow
from academy.directory import DirectoryPerson, DirectoryRefused, DirectoryUnavailable, LdapSettings
from academy.models import OrgUnit, Role, User
from academy.people.services import accounts, assignments, org, people_import
from academy.services import audit

LOCAL, LDAP, OIDC = "local", "ldap", "oidc"

__all__ = ["LDAP", "LOCAL", "OIDC", "DirectoryRefused", "DirectoryUnavailable", "IdentityConflict", "NoAccount"]


class IdentityConflict(Exception):
    """The account is already linked to another identity, or keeps a local password."""


class NoAccount(Exception):
    """The identity platform vouched for someone this site has no account for."""


def signs_in_locally(user: User | None, methods: tuple[str, ...]) -> bool:
    """Whether the login form checks this account's own password (rather than the directory)."""
    if user is None:
        return LDAP not in methods and LOCAL in methods
    return LOCAL in methods and user.identity_source == LOCAL and bool(user.password_hash)


def managed_elsewhere(user: User) -> bool:
    """Name, mail and password of such an account come from its identity source, not from here."""
    return user.identity_source != LOCAL


# --- helpers --------------------------------------------------------------------------------

def _linked(source: str, external_id: str) -> User | None:
    return db.session.execute(select(User).where(User.identity_source == source,
                                                 User.external_id == external_id)).scalar_one_or_none()


def _claimable(user: User | None, source: str, external_id: str) -> User | None:
    """``user`` if this identity may sign in as it, None if there is no such account."""
    if user is None:
        return None
    if user.identity_source == source and user.external_id == external_id:
        return user
    if user.identity_source == LOCAL and not user.password_hash:
        return user  # imported, never had a password: the first proof of its employee number links it
    raise IdentityConflict(user.employee_no)


def _unit(path: tuple[str, ...], *, create: bool) -> OrgUnit | None:
    """The unit at this path of names; missing ones are made (as the people import does) when ``create``."""
    parent: OrgUnit | None = None
    for depth, name in enumerate(path):
        query = select(OrgUnit).where(OrgUnit.name == name,
                                      OrgUnit.parent_id == parent.id if parent else OrgUnit.parent_id.is_(None))
        unit = db.session.execute(query).scalars().first()
        if unit is None and not create:
            return None
        parent = unit or org.create_unit(name, parent=parent, kind=org.kind_at(depth), commit=False)
    return parent


@dataclass(frozen=True)
class GroupRole:
    group: str  # the group's DN
    role: Role
    scope: tuple[str, ...] = ()  # HR: the unit path whose people they look after


def group_roles(config: Mapping[str, Any]) -> list[GroupRole]:
    """``LDAP_GROUP_ROLES``: [{"group": DN, "role": "hr", "scope": "集团/华东公司"}, …]."""
    rules = []
    for item in config.get("LDAP_GROUP_ROLES") or []:
        scope = tuple(p.strip() for p in str(item.get("scope", "")).split("/") if p.strip())
        rules.append(GroupRole(str(item["group"]).lower(), Role(item["role"]), scope))
    return rules


def _roles_from_groups(person: DirectoryPerson, rules: list[GroupRole]) -> dict[Role, OrgUnit | None]:
    wanted: dict[Role, OrgUnit | None] = {}
    for rule in rules:
        if rule.group not in person.groups:
            continue
        scope = _unit(rule.scope, create=False) if rule.role == Role.HR else None
        if rule.role == Role.HR and scope is None:
            continue  # an HR role without a scope would see nobody; a missing unit is a setup fault
        wanted[rule.role] = scope
    return wanted


def _copy_person(user: User, person: DirectoryPerson) -> None:
    user.name = person.name[:80] or user.name
    user.email = person.email or user.email
    user.phone = person.phone or user.phone
    user.position = person.position[:80] or user.position
    if person.unit_path:
        unit = _unit(person.unit_path, create=True)
        user.org_unit_id = unit.id if unit else user.org_unit_id


# --- the login form -------------------------------------------------------------------------

def sign_in(identifier: str, password: str, *, config: Mapping[str, Any], ip: str = "") -> tuple[User, str]:
    """The login form: the account's own password where it keeps one, else the directory.
    Returns the account and how it proved itself ("password" or "ldap").

    Raises accounts.LoginFailed / AccountLocked / TooManyAttempts, or DirectoryUnavailable
    (local accounts still sign in then: the break-glass path does not depend on the directory)."""
    methods = tuple(config["LOGIN_METHODS"])
    if signs_in_locally(accounts.find_by_identifier(identifier), methods):
        return accounts.authenticate(identifier, password, ip=ip, max_failures=config["LOGIN_MAX_FAILURES"],
                                     lock_minutes=config["LOGIN_LOCK_MINUTES"]), "password"
    if LDAP in methods:
        return login_with_directory(LdapSettings.from_config(config), identifier, password,
                                    rules=group_roles(config), ip=ip), LDAP
    accounts.spend_hash_time(password)  # the same time as a wrong password: no hint that the account exists
    audit.record("login_failed", ip=ip, reason="method_disabled")
    db.session.commit()
    raise accounts.LoginFailed


# --- directory login ------------------------------------------------------------------------

def login_with_directory(settings: LdapSettings, identifier: str, password: str, *, rules: list[GroupRole],
                         ip: str = "") -> User:
    """Check the password against the directory and return the linked account (made on first
    login, brought up to date otherwise); failures are audited, changes committed; the login
    itself is recorded when the session opens. Raises accounts.LoginFailed or DirectoryUnavailable."""
    now = utcnow()
    try:
        person = directory.authenticate(settings, identifier, password)
    except DirectoryRefused:
        known = accounts.find_by_identifier(identifier)
        audit.record("login_failed", actor=known, ip=ip, now=now, method=LDAP, reason="directory")
        db.session.commit()
        raise accounts.LoginFailed from None
    except DirectoryUnavailable:
        audit.record("directory_unavailable", ip=ip, now=now, method=LDAP)
        db.session.commit()
        raise
    try:
        user = _linked(LDAP, person.dn.lower()) or _claimable(accounts.find_by_identifier(person.employee_no),
                                                              LDAP, person.dn.lower())
    except IdentityConflict:
        audit.record("login_failed", ip=ip, now=now, method=LDAP, reason="identity_conflict",
                     employee_no=person.employee_no)
        db.session.commit()
        raise accounts.LoginFailed from None
    if user is None:
        user = accounts.create_user(person.employee_no, person.name or person.employee_no, commit=False)
        audit.record("account_created", actor=user, ip=ip, now=now, method=LDAP)
    if not user.active:
        audit.record("login_failed", actor=user, ip=ip, now=now, method=LDAP, reason="inactive")
        db.session.commit()
        raise accounts.LoginFailed
    user.identity_source, user.external_id = LDAP, person.dn.lower()
    unit_before = user.org_unit_id
    _copy_person(user, person)
    db.session.flush()
    if user.org_unit_id != unit_before:
        assignments.refresh_user(user)  # moved (or new): the assignments of where they now are
    if rules:
        accounts.set_roles(user, _roles_from_groups(person, rules), ip=ip, commit=False)
    db.session.commit()
    return user


# --- OpenID Connect login -------------------------------------------------------------------

def login_with_oidc(claims: Mapping[str, Any], *, employee_claim: str, ip: str = "") -> User:
    """The account the verified ID token's claims belong to; refusals audited, one commit.

    Linked by issuer and subject; the first login links an imported account by the employee
    number the platform vouches for. Nobody is created: the platform knows the whole group,
    this site only the people HR or the directory sync brought in."""
    now = utcnow()
    subject = f"{claims['iss']}|{claims['sub']}"
    number = str(claims.get(employee_claim) or "").strip()
    try:
        user = _linked(OIDC, subject) or _claimable(accounts.find_by_identifier(number) if number else None,
                                                    OIDC, subject)
    except IdentityConflict:
        audit.record("login_failed", ip=ip, now=now, method=OIDC, reason="identity_conflict", employee_no=number)
        db.session.commit()
        raise accounts.LoginFailed from None
    if user is None or not user.active:
        audit.record("login_failed", actor=user, ip=ip, now=now, method=OIDC,
                     reason="no_account" if user is None else "inactive")
        db.session.commit()
        raise NoAccount(number)
    if user.identity_source != OIDC:
        audit.record("account_linked", actor=user, ip=ip, now=now, method=OIDC)
    user.identity_source, user.external_id = OIDC, subject
    user.name = str(claims.get("name") or user.name)[:80]
    user.email = str(claims.get("email") or "").lower() or user.email
    db.session.commit()
    return user


# --- directory sync -------------------------------------------------------------------------

@dataclass
class SyncReport:
    people: people_import.ImportReport
    linked: int = 0
    role_changes: int = 0


def _table(found: list[DirectoryPerson]) -> bytes:
    """The directory as the people file HR would upload, leavers included as 离职 rows."""
    numbers = {p.employee_no for p in found}
    leavers = db.session.execute(select(User).where(User.identity_source == LDAP, User.active.is_(True),
                                                    User.employee_no.not_in(numbers))).scalars().all()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(people_import.COLUMNS)  # 工号 姓名 组织路径 岗位 邮箱 手机 状态
    for p in found:
        writer.writerow([p.employee_no, p.name, "/".join(p.unit_path), p.position, p.email, p.phone,
                         people_import.ACTIVE])
    for user in leavers:
        writer.writerow([user.employee_no, user.name, "", "", "", "", people_import.LEFT])
    return out.getvalue().encode("utf-8")


def sync_directory(settings: LdapSettings, *, rules: list[GroupRole], dry_run: bool = False,
                   actor: User | None = None, ip: str = "") -> SyncReport:
    """Bring people in line with the directory: create, move, update and deactivate exactly as
    the people import does (same checks, same preview, one transaction or nothing), then link
    the accounts and set their roles from groups. An unreachable directory changes nothing."""
    found = [p for p in directory.all_people(settings) if p.employee_no]  # DirectoryUnavailable: nothing done
    report = people_import.import_people(_table(found), "directory.csv", dry_run=dry_run, actor=actor, ip=ip)
    result = SyncReport(report)
    if dry_run or (not report.applied and (report.rejected or report.has_changes)):
        return result
    by_no = {u.employee_no: u for u in db.session.execute(
        select(User).where(User.employee_no.in_([p.employee_no for p in found]))).scalars()}
    for person in found:
        user = by_no.get(person.employee_no)
        if user is None:
            continue
        if user.identity_source == LOCAL and not user.password_hash:
            user.identity_source, user.external_id = LDAP, person.dn.lower()
            result.linked += 1
        if user.identity_source == LDAP and rules:
            result.role_changes += len(accounts.set_roles(user, _roles_from_groups(person, rules), actor=actor,
                                                          ip=ip, commit=False))
    audit.record("directory_synced", actor=actor, ip=ip, linked=result.linked, role_changes=result.role_changes)
    db.session.commit()
    return result
