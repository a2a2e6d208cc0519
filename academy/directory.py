"""The group's LDAP / Active Directory, read-only: who someone is, whether their password is right,
which groups they are in, and the whole list of people for the sync.

Plain functions over a settings object; nothing here writes to the database (the identity
service does). Every value typed by a person is escaped before it goes into a filter.

python-ldap (requirements-ldap.txt) is imported when the directory is first used, so a site
that signs in with local passwords or OIDC runs without OpenLDAP's client library.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

# Directory attribute for each field of an account; Active Directory differs only in names.
DEFAULT_ATTRIBUTES: Mapping[str, str] = {
    "employee_no": "employeeNumber", "name": "displayName", "email": "mail", "phone": "mobile",
    "department": "departmentNumber", "position": "title",
}


class DirectoryUnavailable(Exception):
    """The directory did not answer, or refused the service account: nothing can be decided."""


class DirectoryRefused(Exception):
    """No such person in the directory, or the password is wrong."""


@dataclass(frozen=True)
class LdapSettings:
    url: str
    base_dn: str
    bind_dn: str = ""
    bind_password: str = field(default="", repr=False)
    user_filter: str = "(&(objectClass=inetOrgPerson)(|(employeeNumber={login})(mail={login})))"
    people_filter: str = "(&(objectClass=inetOrgPerson)(employeeNumber=*))"
    group_filter: str = "(&(objectClass=groupOfNames)(member={dn}))"
    member_attribute: str = "member"
    attributes: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_ATTRIBUTES))
    # "attribute": the department attribute holds a path such as 集团/华东公司/质量部;
    # "dn": the path is read from the entry's ou= parts (ou=质量部,ou=华东公司,ou=集团,…), as AD trees are laid out
    department_from: str = "attribute"
    start_tls: bool = False
    ca_file: str = ""
    timeout: int = 5

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> LdapSettings:
        return cls(url=config["LDAP_URL"], base_dn=config["LDAP_BASE_DN"], bind_dn=config.get("LDAP_BIND_DN", ""),
                   bind_password=config.get("LDAP_BIND_PASSWORD", ""),
                   user_filter=config.get("LDAP_USER_FILTER") or cls.user_filter,
                   people_filter=config.get("LDAP_PEOPLE_FILTER") or cls.people_filter,
                   group_filter=config.get("LDAP_GROUP_FILTER") or cls.group_filter,
                   member_attribute=config.get("LDAP_MEMBER_ATTRIBUTE") or cls.member_attribute,
                   attributes={**DEFAULT_ATTRIBUTES, **(config.get("LDAP_ATTRIBUTES") or {})},
                   department_from=config.get("LDAP_DEPARTMENT_FROM", "attribute"),
                   start_tls=bool(config.get("LDAP_START_TLS")), ca_file=config.get("LDAP_CA_FILE", ""),
                   timeout=int(config.get("LDAP_TIMEOUT", 5)))


@dataclass(frozen=True)
class DirectoryPerson:
    dn: str
    employee_no: str
    name: str
    email: str
    phone: str
    unit_path: tuple[str, ...]
    position: str
    groups: frozenset[str] = frozenset()


def _ldap() -> Any:
    try:
        import ldap
        import ldap.controls
        import ldap.dn
        import ldap.filter
    except ImportError as err:  # LOGIN_METHODS names "ldap" but requirements-ldap.txt was not installed
        raise DirectoryUnavailable("python-ldap is not installed (pip install -r requirements-ldap.txt)") from err
    return ldap


def _connect(settings: LdapSettings, user: str, password: str) -> Any:
    """A bound connection; a refused bind is DirectoryRefused, anything else DirectoryUnavailable."""
    ldap = _ldap()
    connection = ldap.initialize(settings.url)
    try:
        connection.protocol_version = ldap.VERSION3
        connection.set_option(ldap.OPT_REFERRALS, 0)
        connection.set_option(ldap.OPT_NETWORK_TIMEOUT, settings.timeout)
        connection.set_option(ldap.OPT_TIMEOUT, settings.timeout)
        if settings.url.startswith("ldaps://") or settings.start_tls:
            connection.set_option(ldap.OPT_X_TLS_REQUIRE_CERT, ldap.OPT_X_TLS_DEMAND)
            if settings.ca_file:
                connection.set_option(ldap.OPT_X_TLS_CACERTFILE, settings.ca_file)
            connection.set_option(ldap.OPT_X_TLS_NEWCTX, 0)
        if settings.start_tls:
            connection.start_tls_s()
        connection.simple_bind_s(user, password)
    except ldap.INVALID_CREDENTIALS as err:
        connection.unbind_s()
        raise DirectoryRefused from err
    except ldap.LDAPError as err:
        raise DirectoryUnavailable(_reason(err)) from err
    return connection


def _reason(err: Exception) -> str:
    info = err.args[0] if err.args and isinstance(err.args[0], dict) else {}
    return str(info.get("desc") or err.__class__.__name__)


def _service(settings: LdapSettings) -> Any:
    try:
        return _connect(settings, settings.bind_dn, settings.bind_password)
    except DirectoryRefused as err:  # the service account's own password was refused: a setup fault
        raise DirectoryUnavailable("service bind refused") from err


def _first(entry: Mapping[str, list[bytes]], name: str) -> str:
    values = entry.get(name) or [b""]
    return values[0].decode("utf-8", "replace").strip()


def _unit_path(settings: LdapSettings, dn: str, entry: Mapping[str, list[bytes]]) -> tuple[str, ...]:
    if settings.department_from == "dn":
        rdns = _ldap().dn.str2dn(dn)
        return tuple(reversed([value for rdn in rdns for kind, value, _flags in rdn if kind.lower() == "ou"]))
    raw = _first(entry, settings.attributes["department"]).replace("\\", "/")
    return tuple(part.strip() for part in raw.split("/") if part.strip())


def _person(settings: LdapSettings, dn: str, entry: Mapping[str, list[bytes]], groups: frozenset[str]) -> DirectoryPerson:
    names = settings.attributes
    return DirectoryPerson(dn=dn, employee_no=_first(entry, names["employee_no"]),
                           name=_first(entry, names["name"]) or _first(entry, "cn"),
                           email=_first(entry, names["email"]).lower(), phone=_first(entry, names["phone"]),
                           unit_path=_unit_path(settings, dn, entry), position=_first(entry, names["position"]),
                           groups=groups)


def _attribute_names(settings: LdapSettings) -> list[str]:
    return sorted({*settings.attributes.values(), "cn"})


def _paged(connection: Any, base: str, query: str, attributes: list[str]) -> Iterator[tuple[str, dict[str, list[bytes]]]]:
    """Every entry, 500 at a time, so a directory of 100,000 people fits its server's size limit."""
    ldap = _ldap()
    paging = ldap.controls.SimplePagedResultsControl
    control = paging(True, size=500, cookie="")
    while True:
        message = connection.search_ext(base, ldap.SCOPE_SUBTREE, query, attributes, serverctrls=[control])
        _type, entries, _id, controls = connection.result3(message)
        yield from ((dn, attrs) for dn, attrs in entries if dn)  # dn None: a referral
        cookies = [c.cookie for c in controls if c.controlType == paging.controlType]
        if not cookies or not cookies[0]:
            return
        control.cookie = cookies[0]


def _groups_of(connection: Any, settings: LdapSettings, dn: str) -> frozenset[str]:
    ldap = _ldap()
    found = connection.search_s(settings.base_dn, ldap.SCOPE_SUBTREE,
                                settings.group_filter.format(dn=ldap.filter.escape_filter_chars(dn)), ["1.1"])
    return frozenset(group_dn.lower() for group_dn, _attrs in found if group_dn)


def _all_memberships(connection: Any, settings: LdapSettings) -> dict[str, set[str]]:
    """Member DN -> its groups, from one search over every group (not one search per person)."""
    members: dict[str, set[str]] = {}
    for group_dn, attrs in _paged(connection, settings.base_dn, settings.group_filter.replace("{dn}", "*"),
                                  [settings.member_attribute]):
        for member in attrs.get(settings.member_attribute, []):
            members.setdefault(member.decode("utf-8", "replace").lower(), set()).add(group_dn.lower())
    return members


def authenticate(settings: LdapSettings, login: str, password: str) -> DirectoryPerson:
    """The person whose employee number or mail is ``login``, if ``password`` is theirs."""
    login = login.strip()
    if not login or not password:  # an empty password would be an anonymous bind, which "succeeds"
        raise DirectoryRefused
    ldap = _ldap()
    service = _service(settings)
    try:
        found = [(dn, attrs) for dn, attrs in service.search_ext_s(
            settings.base_dn, ldap.SCOPE_SUBTREE, settings.user_filter.format(login=ldap.filter.escape_filter_chars(login)),
            _attribute_names(settings), sizelimit=2) if dn]
        if len(found) != 1:  # none, or ambiguous: never guess whose password to try
            raise DirectoryRefused
        dn, attributes = found[0]
        _connect(settings, dn, password).unbind_s()
        return _person(settings, dn, attributes, _groups_of(service, settings, dn))
    except ldap.SIZELIMIT_EXCEEDED as err:
        raise DirectoryRefused from err
    except ldap.LDAPError as err:
        raise DirectoryUnavailable(_reason(err)) from err
    finally:
        service.unbind_s()


def all_people(settings: LdapSettings) -> list[DirectoryPerson]:
    """Everyone the people filter matches, with their groups."""
    ldap = _ldap()
    service = _service(settings)
    try:
        found = list(_paged(service, settings.base_dn, settings.people_filter, _attribute_names(settings)))
        members = _all_memberships(service, settings)
        return [_person(settings, dn, attrs, frozenset(members.get(dn.lower(), ()))) for dn, attrs in found]
    except ldap.LDAPError as err:
        raise DirectoryUnavailable(_reason(err)) from err
    finally:
        service.unbind_s()
