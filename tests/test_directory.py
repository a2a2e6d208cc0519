"""Sign-in and people sync against a real OpenLDAP server (Debian's slapd), started per test
on a free port with a generated directory."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import ldap
import ldap.modlist
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from academy.database import db
from academy.directory import DirectoryRefused, DirectoryUnavailable, LdapSettings, all_people, authenticate
from academy.models import AuditLog, OrgUnit, Role, User
from academy.people.services import identity

from .conftest import make_app

SLAPD = "/usr/sbin/slapd"  # Debian package slapd (make browser-deps)
SUFFIX = "dc=qs,dc=test"
ADMIN_DN, ADMIN_PASSWORD = f"cn=admin,{SUFFIX}", "admin-secret"  # a throw-away test directory
SERVICE_DN, SERVICE_PASSWORD = f"uid=svc-academy,ou=service,{SUFFIX}", "svc-secret"
PASSWORD = "Dir-Pass-2026"  # every test person's directory password  # noqa: S105 - test-only credential

CONFIG = """include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile {dir}/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 10485760
suffix "{suffix}"
rootdn "{admin}"
rootpw {admin_password}
directory {dir}/data
access to attrs=userPassword by self read by anonymous auth by * none
access to * by dn.exact="{service}" read by * none
"""


def person(uid: str, name: str, number: str, path: str, *, mail: str = "", title: str = "检验员") -> str:
    return (f"dn: uid={uid},ou=people,{SUFFIX}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {name}\nsn: {name[0]}\n"
            f"displayName: {name}\nemployeeNumber: {number}\ndepartmentNumber: {path}\ntitle: {title}\n"
            f"mail: {mail or uid + '@qs.test'}\nmobile: 1380000{number[-4:]}\nuserPassword: {PASSWORD}\n")


DIRECTORY = "\n".join([
    f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: QS\ndc: qs\n",
    f"dn: ou=people,{SUFFIX}\nobjectClass: organizationalUnit\nou: people\n",
    f"dn: ou=groups,{SUFFIX}\nobjectClass: organizationalUnit\nou: groups\n",
    f"dn: ou=service,{SUFFIX}\nobjectClass: organizationalUnit\nou: service\n",
    f"dn: {SERVICE_DN}\nobjectClass: inetOrgPerson\nuid: svc-academy\ncn: svc\nsn: svc\nuserPassword: {SERVICE_PASSWORD}\n",
    person("wang", "王芳", "200001", "集团/华东公司/质量部", title="质量工程师"),
    person("li", "李强", "200002", "集团/华东公司"),
    person("zhou", "周杰", "200003", "集团/西南公司/检测中心"),
    f"dn: cn=qs-hr-east,ou=groups,{SUFFIX}\nobjectClass: groupOfNames\ncn: qs-hr-east\nmember: uid=li,ou=people,{SUFFIX}\n",
    f"dn: cn=qs-authors,ou=groups,{SUFFIX}\nobjectClass: groupOfNames\ncn: qs-authors\nmember: uid=wang,ou=people,{SUFFIX}\n",
])
RULES = [{"group": f"cn=qs-hr-east,ou=groups,{SUFFIX}", "role": "hr", "scope": "集团/华东公司"},
         {"group": f"cn=qs-authors,ou=groups,{SUFFIX}", "role": "author"}]


@dataclass
class Directory:
    url: str
    process: subprocess.Popen[bytes]

    def admin(self):  # type: ignore[no-untyped-def]  # python-ldap ships no types
        connection = ldap.initialize(self.url)
        connection.simple_bind_s(ADMIN_DN, ADMIN_PASSWORD)
        return connection

    def settings(self) -> LdapSettings:
        return LdapSettings(url=self.url, base_dn=SUFFIX, bind_dn=SERVICE_DN, bind_password=SERVICE_PASSWORD)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def slapd(tmp_path: Path) -> Iterator[Directory]:
    (tmp_path / "data").mkdir()
    conf = tmp_path / "slapd.conf"
    conf.write_text(CONFIG.format(dir=tmp_path, suffix=SUFFIX, admin=ADMIN_DN, admin_password=ADMIN_PASSWORD,
                                  service=SERVICE_DN))
    (tmp_path / "people.ldif").write_text(DIRECTORY)
    subprocess.run(["/usr/sbin/slapadd", "-f", str(conf), "-l", str(tmp_path / "people.ldif")], check=True,
                   capture_output=True)
    port = _free_port()
    url = f"ldap://127.0.0.1:{port}"
    process = subprocess.Popen([SLAPD, "-f", str(conf), "-h", url + "/", "-d", "0"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.025)
    else:
        process.kill()
        raise RuntimeError("slapd did not start")
    directory = Directory(url, process)
    yield directory
    if process.poll() is None:
        directory.stop()


def directory_app(slapd: Directory, **extra: object) -> Flask:
    settings: dict[str, object] = {
        "LOGIN_METHODS": ("local", "ldap"), "LDAP_URL": slapd.url, "LDAP_BASE_DN": SUFFIX, "LDAP_BIND_DN": SERVICE_DN,
        "LDAP_BIND_PASSWORD": SERVICE_PASSWORD, "LDAP_GROUP_ROLES": RULES}
    return make_app(**{**settings, **extra})


def login(client: FlaskClient, identifier: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/login", data={"identifier": identifier, "password": password})


def account(app: Flask, employee_no: str) -> User:
    with app.app_context():
        user = db.session.execute(select(User).where(User.employee_no == employee_no)).scalar_one()
        db.session.expunge(user)
        return user


def unit_path(app: Flask, user: User) -> str:
    with app.app_context():
        unit = db.session.get(OrgUnit, user.org_unit_id)
        assert unit is not None
        ids = [int(x) for x in unit.path.strip("/").split("/")]
        return "/".join(db.session.get(OrgUnit, i).name for i in ids)  # type: ignore[union-attr]


# --- the directory client ----------------------------------------------------------------------

def test_the_client_finds_a_person_by_employee_number_or_mail_with_their_groups(slapd: Directory) -> None:
    for login_name in ("200002", "li@qs.test", " LI@qs.test "):
        found = authenticate(slapd.settings(), login_name, PASSWORD)
        assert (found.employee_no, found.name, found.unit_path) == ("200002", "李强", ("集团", "华东公司"))
        assert found.groups == {f"cn=qs-hr-east,ou=groups,{SUFFIX}"}


@pytest.mark.parametrize(("login_name", "password"), [
    ("200002", "wrong"), ("200002", ""), ("999999", PASSWORD),
    ("*", PASSWORD), ("2000*", PASSWORD), ("200002)(uid=*", PASSWORD),  # a filter can not be injected
])
def test_the_client_refuses_wrong_passwords_unknown_people_and_filter_tricks(slapd: Directory, login_name: str,
                                                                             password: str) -> None:
    with pytest.raises(DirectoryRefused):
        authenticate(slapd.settings(), login_name, password)


def test_a_directory_that_is_down_or_refuses_the_service_account_is_unavailable(slapd: Directory) -> None:
    bad = LdapSettings(url=slapd.url, base_dn=SUFFIX, bind_dn=SERVICE_DN, bind_password="not-it")  # noqa: S106 - test-only credential
    with pytest.raises(DirectoryUnavailable):
        authenticate(bad, "200001", PASSWORD)
    slapd.stop()
    with pytest.raises(DirectoryUnavailable):
        authenticate(slapd.settings(), "200001", PASSWORD)
    with pytest.raises(DirectoryUnavailable):
        all_people(slapd.settings())


def test_the_unit_path_can_come_from_the_entry_dn_as_in_active_directory(slapd: Directory) -> None:
    admin = slapd.admin()
    for dn, ou in ((f"ou=集团,{SUFFIX}", "集团"), (f"ou=华东公司,ou=集团,{SUFFIX}", "华东公司")):
        admin.add_s(dn, ldap.modlist.addModlist({"objectClass": [b"organizationalUnit"], "ou": [ou.encode()]}))
    admin.add_s(f"uid=sun,ou=华东公司,ou=集团,{SUFFIX}", ldap.modlist.addModlist(
        {"objectClass": [b"inetOrgPerson"], "cn": ["孙丽".encode()], "sn": ["孙".encode()],
         "employeeNumber": [b"200009"], "userPassword": [PASSWORD.encode()]}))
    admin.unbind_s()
    settings = LdapSettings(url=slapd.url, base_dn=SUFFIX, bind_dn=SERVICE_DN, bind_password=SERVICE_PASSWORD,
                            department_from="dn")
    assert authenticate(settings, "200009", PASSWORD).unit_path == ("集团", "华东公司")


# --- signing in ----------------------------------------------------------------------------------

def test_first_directory_login_makes_the_account_with_unit_and_roles_from_groups(slapd: Directory) -> None:
    app = directory_app(slapd)
    client = app.test_client()
    response = login(client, "200002")
    assert response.status_code == 303
    li = account(app, "200002")
    assert (li.name, li.identity_source, li.email, li.phone) == ("李强", "ldap", "li@qs.test", "13800000002")
    assert unit_path(app, li) == "集团/华东公司"
    with app.app_context():
        roles = {(r.role, r.scope_unit.name if r.scope_unit else None) for r in db.session.get(User, li.id).roles}  # type: ignore[union-attr]
        assert roles == {(Role.HR, "华东公司")}
        entry = db.session.execute(select(AuditLog).where(AuditLog.action == "login")).scalar_one()
        assert entry.detail["method"] == "ldap"
    assert client.get("/me").status_code == 200


def test_an_imported_account_without_a_password_is_linked_on_first_directory_login(slapd: Directory, ) -> None:
    app = directory_app(slapd)
    with app.app_context():
        identity.accounts.create_user("200001", "王 芳（导入）")
    assert login(app.test_client(), "200001").status_code == 303
    wang = account(app, "200001")
    assert (wang.identity_source, wang.name) == ("ldap", "王芳")  # the directory's name wins
    assert wang.external_id == f"uid=wang,ou=people,{SUFFIX}"


def test_a_wrong_directory_password_is_refused_with_the_usual_message_and_audited(slapd: Directory) -> None:
    app = directory_app(slapd)
    response = login(app.test_client(), "200001", "not-the-password")
    assert response.status_code == 422
    assert "工号、邮箱或密码不正确。" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(User)).first() is None
        failure = db.session.execute(select(AuditLog).where(AuditLog.action == "login_failed")).scalar_one()
        assert failure.detail["method"] == "ldap"


def test_when_the_directory_is_down_the_page_says_so_and_break_glass_admins_still_sign_in(
        slapd: Directory, make_user: Callable[..., User]) -> None:
    app = directory_app(slapd)
    with app.app_context():
        admin = identity.accounts.create_user("A9001", "应急管理员", password="Break-Glass-9001",  # noqa: S106 - test-only credential
                                              roles=((Role.ADMIN, None),))
        admin_no = admin.employee_no
    slapd.stop()
    client = app.test_client()
    down = login(client, "200001")
    assert down.status_code == 503
    assert "目录" in down.get_data(as_text=True)
    assert login(client, admin_no, "Break-Glass-9001").status_code == 303


def test_a_local_account_with_its_own_password_is_never_taken_over_by_the_directory(slapd: Directory) -> None:
    app = directory_app(slapd)
    with app.app_context():
        identity.accounts.create_user("200003", "周杰（本地）", password="Local-Pass-2026")  # noqa: S106 - test-only credential
    assert login(app.test_client(), "200003").status_code == 422  # the directory password does not open it
    assert login(app.test_client(), "200003", "Local-Pass-2026").status_code == 303
    assert account(app, "200003").identity_source == "local"


def test_a_directory_account_cannot_change_its_password_here(slapd: Directory) -> None:
    app = directory_app(slapd)
    client = app.test_client()
    login(client, "200001")
    page = client.get("/account/password")
    assert page.status_code == 409
    assert "统一身份" in page.get_data(as_text=True)


def test_with_local_passwords_switched_off_only_the_directory_signs_in(slapd: Directory) -> None:
    app = directory_app(slapd, LOGIN_METHODS=("ldap",))
    with app.app_context():
        identity.accounts.create_user("L1", "本地用户", password="Local-Pass-2026")  # noqa: S106 - test-only credential
    assert login(app.test_client(), "L1", "Local-Pass-2026").status_code == 422
    assert login(app.test_client(), "200001").status_code == 303


# --- the sync ------------------------------------------------------------------------------------

def sync(app: Flask, slapd: Directory, *, dry_run: bool = False) -> identity.SyncReport:
    with app.app_context():
        return identity.sync_directory(slapd.settings(), rules=identity.group_roles(app.config), dry_run=dry_run)


def test_sync_previews_then_creates_people_units_and_roles(slapd: Directory) -> None:
    app = directory_app(slapd)
    preview = sync(app, slapd, dry_run=True)
    assert preview.people.summary()["created"] == 3
    assert not preview.people.applied
    with app.app_context():
        assert db.session.execute(select(User)).first() is None  # a preview writes nothing
    result = sync(app, slapd)
    assert result.people.applied
    assert result.linked == 3
    assert unit_path(app, account(app, "200003")) == "集团/西南公司/检测中心"
    with app.app_context():
        li = db.session.execute(select(User).where(User.employee_no == "200002")).scalar_one()
        assert [r.role for r in li.roles] == [Role.HR]
        assert db.session.execute(select(AuditLog).where(AuditLog.action == "directory_synced")).scalar_one()
    again = sync(app, slapd)  # nothing changed in the directory: nothing changes here
    assert again.people.summary()["unchanged"] == 3
    assert again.role_changes == 0


def test_sync_moves_people_and_deactivates_who_left_the_directory_and_their_session_ends(slapd: Directory) -> None:
    app = directory_app(slapd)
    sync(app, slapd)
    client = app.test_client()
    assert login(client, "200003").status_code == 303
    admin = slapd.admin()
    admin.modify_s(f"uid=wang,ou=people,{SUFFIX}", [(ldap.MOD_REPLACE, "departmentNumber", ["集团/西南公司".encode()])])
    admin.delete_s(f"uid=zhou,ou=people,{SUFFIX}")
    admin.unbind_s()
    result = sync(app, slapd)
    summary = result.people.summary()
    assert (summary["updated"], summary["deactivated"]) == (1, 1)
    assert unit_path(app, account(app, "200001")) == "集团/西南公司"
    assert account(app, "200003").active is False
    assert client.get("/me").status_code == 302  # the leaver's open session is refused


def test_sync_with_the_directory_down_changes_nothing(slapd: Directory) -> None:
    app = directory_app(slapd)
    slapd.stop()
    with pytest.raises(DirectoryUnavailable):
        sync(app, slapd)
    with app.app_context():
        assert db.session.execute(select(User)).first() is None


def test_the_sync_command_reports_and_refuses_cleanly_when_the_directory_is_down(slapd: Directory) -> None:
    app = directory_app(slapd)
    runner = app.test_cli_runner()
    out = runner.invoke(args=["directory", "sync", "--dry-run"])
    assert out.exit_code == 0
    assert "created 3" in out.output
    slapd.stop()
    down = runner.invoke(args=["directory", "sync"])
    assert down.exit_code != 0
    assert "nothing was changed" in down.output


def test_without_python_ldap_installed_the_site_runs_and_directory_sign_in_says_it_is_unavailable(
        slapd: Directory, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "ldap", None)  # as on a site that did not install requirements-ldap.txt
    app = directory_app(slapd)
    with app.app_context():
        identity.accounts.create_user("A9002", "本地管理员", password="Break-Glass-9002")  # noqa: S106 - test-only credential
    client = app.test_client()
    assert login(client, "200001").status_code == 503
    assert login(client, "A9002", "Break-Glass-9002").status_code == 303
