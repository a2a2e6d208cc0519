"""The suite's own shortcuts for building apps quickly must not change what an app does."""

from __future__ import annotations

import re

from flask import Flask
from jinja2 import DictLoader, Environment
from sqlalchemy import inspect
from werkzeug.routing import IntegerConverter, PathConverter, UnicodeConverter
from werkzeug.routing.converters import AnyConverter, BaseConverter

from academy.database import db
from academy.people.services import accounts, org

from .conftest import _compile_builder, _templates, make_app


def _sample(converter: BaseConverter) -> object:
    if isinstance(converter, IntegerConverter):
        return 7
    if isinstance(converter, AnyConverter):
        return next(iter(converter.items))  # type: ignore[attr-defined]
    if isinstance(converter, (PathConverter, UnicodeConverter)):
        return "a b/é" if isinstance(converter, PathConverter) else "a b é"
    return "x"


def test_every_shared_url_builder_builds_what_a_freshly_compiled_one_builds(app: Flask) -> None:
    make_app()  # a second app: its rules take the builders the first app compiled
    checked = 0
    for rule in app.url_map.iter_rules():
        values = {name: _sample(converter) for name, converter in rule._converters.items()}
        for append_unknown in (False, True):
            extra = {"page": 2, "q": "x y"} if append_unknown else {}
            fresh = _compile_builder(rule, append_unknown).__get__(rule, None)
            shared = rule._compile_builder(append_unknown).__get__(rule, None)
            assert shared(**values, **extra) == fresh(**values, **extra), rule.rule
        checked += 1
    assert checked > 100


def test_an_app_gets_an_empty_database_with_the_whole_schema(app: Flask) -> None:
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        assert tables == set(db.metadata.tables)
        for table in db.metadata.sorted_tables:
            assert db.session.execute(table.select().limit(1)).first() is None, table.name


def test_each_in_memory_sqlite_app_has_a_database_of_its_own() -> None:
    # in-memory SQLite in both runs: on PostgreSQL the apps of a worker share its database by design
    first, other = make_app(SQLALCHEMY_DATABASE_URI="sqlite://"), make_app(SQLALCHEMY_DATABASE_URI="sqlite://")
    with first.app_context():
        db.session.execute(db.metadata.tables["org_unit"].insert().values(
            name="甲", kind="group", depth=0, path="/1/"))
        db.session.commit()
    with other.app_context():  # each app has a database of its own
        assert db.session.execute(db.metadata.tables["org_unit"].select()).first() is None


def test_shared_compiled_templates_follow_their_source() -> None:
    first = Environment(loader=DictLoader({"page.html": "{{ 1 + 1 }} 旧"}), bytecode_cache=_templates, autoescape=True)
    assert first.get_template("page.html").render() == "2 旧"
    changed = Environment(loader=DictLoader({"page.html": "{{ 2 + 2 }} 新"}), bytecode_cache=_templates, autoescape=True)
    assert changed.get_template("page.html").render() == "4 新"


def test_two_apps_render_a_page_alike_from_the_shared_templates(app: Flask) -> None:
    other = make_app()
    pages = [a.test_client().get("/login").get_data(as_text=True) for a in (app, other)]
    assert "<form" in pages[0]
    assert [re.sub(r'value="[^"]+"', "", p) for p in pages] == [re.sub(r'value="[^"]+"', "", pages[0])] * 2


def test_each_new_app_starts_from_an_empty_database_whose_ids_start_at_one() -> None:
    first = make_app()
    with first.app_context():
        unit = org.create_unit("甲")
        accounts.create_user("100001", "张三", org_unit=org.create_unit("乙", parent=unit))
    second = make_app()
    with second.app_context():
        for table in db.metadata.sorted_tables:
            assert db.session.execute(table.select().limit(1)).first() is None, table.name
        assert org.create_unit("丙").id == 1
        assert accounts.create_user("100002", "李四").id == 1
