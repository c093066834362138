"""Browser tests: Debian's Chromium driven by Playwright (sync API) against ``live_server``.

Requirements, checked once per session:

* ``/usr/bin/chromium`` (``apt-get install chromium``; never ``playwright install``)
* ``node_modules/axe-core/axe.min.js`` (``npm ci`` at the repository root)
* the ``playwright`` Python package (``pip install -e '.[test]'``)

If one is missing the browser tests are skipped, or fail with the reason when
``MADOGUCHI_REQUIRE_BROWSER=1`` (as CI sets it).

Data: the bundled real open data is ingested once per session
(``load_bundle``, a few seconds), dumped to JSON and its tables emptied again;
every test then gets a fresh copy with ``loaddata`` (a fraction of a second),
because ``live_server`` needs ``transactional_db``, which empties the tables
after each test. The snapshot files stay in one session-wide ``MEDIA_ROOT``.

Every browser test uses serialized rollback: the database is emptied after it
*without* re-creating content types and permissions, and restored from the
snapshot taken at creation before the next such test. A plain transactional
flush would re-create content types under new ids, and a later test of the
suite that uses serialized rollback would then fail on their unique names.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest
from django.db.backends.base.creation import BaseDatabaseCreation

# Playwright's sync API keeps an asyncio loop in this thread; Django's ORM
# refuses to run there unless told it is safe (the ORM calls are synchronous).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
STAFF_USER, STAFF_PASSWORD = "shokuin", "madoguchi-test-pw-1"
# Rows that come with the database itself (post_migrate) are not part of the dump, nor emptied after it.
DUMP_EXCLUDE = ["contenttypes", "auth.permission", "sessions", "admin.logentry"]
KEEP_TABLES = {"django_content_type", "auth_permission"}


def _deserialize_as_created(self, data):
    """Serialized rollback restores content types and permissions with their ids from the snapshot taken
    when the test database was made. A plain transactional flush of an earlier, non-browser test has
    re-created them under new ids; they are dropped first, so the snapshot can bring back the originals.
    Without this the suite's order decides whether browser tests can start, and under pytest-xdist the
    order is not fixed."""
    with self.connection.cursor() as cursor:
        tables = set(self.connection.introspection.table_names(cursor))
        for table in ("auth_group_permissions", "auth_user_user_permissions", "django_admin_log",
                      "auth_permission", "django_content_type"):
            if table in tables:
                cursor.execute(f"DELETE FROM {self.connection.ops.quote_name(table)}")
    return _deserialize(self, data)


_deserialize = BaseDatabaseCreation.deserialize_db_from_string
BaseDatabaseCreation.deserialize_db_from_string = _deserialize_as_created


def _missing() -> list[str]:
    missing = []
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        missing.append(f"{CHROMIUM} not found (install Debian's package: apt-get install -y chromium)")
    if not AXE_JS.is_file():
        missing.append(f"{AXE_JS.relative_to(REPO)} not found (run `npm ci` at the repository root)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        missing.append(f"Python package playwright cannot be imported ({exc}); pip install -e '.[test]'")
    return missing


@pytest.fixture(autouse=True)
def _serialized_rollback(django_db_serialized_rollback) -> None:
    """See the module docstring."""


@pytest.fixture(scope="session")
def browser_requirements() -> None:
    missing = _missing()
    if not missing:
        return
    message = "browser tests cannot run: " + "; ".join(missing)
    if os.environ.get("MADOGUCHI_REQUIRE_BROWSER") == "1":
        pytest.fail(message + " (MADOGUCHI_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser(browser_requirements, django_db_setup):
    """One Chromium per test module (Playwright's loop is stopped after the module).

    While Playwright's loop runs in this thread, Django keeps its database
    connections per context instead of per thread (asgiref's Local), so the
    tests get new connection objects: they are handed the snapshot that
    serialized rollback restores, and closed before the loop stops.
    """
    from django.db import connections
    from playwright.sync_api import sync_playwright

    snapshots = {alias: connections[alias]._test_serialized_contents for alias in connections
                 if hasattr(connections[alias], "_test_serialized_contents")}
    with sync_playwright() as pw:
        for alias, contents in snapshots.items():
            connections[alias]._test_serialized_contents = contents
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            connections.close_all()


@pytest.fixture
def page_factory(browser):
    """``page_factory(viewport, locale)`` → a new page in its own context, closed after the test."""
    contexts = []

    def make(viewport: dict | None = None, locale: str = "ja-JP"):
        context = browser.new_context(viewport=viewport or DESKTOP, locale=locale)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(page_factory):
    return page_factory(DESKTOP)


@pytest.fixture(scope="session")
def browser_media_root(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("browser-media")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(autouse=True)
def media_root(settings, browser_media_root):
    """Overrides tests/conftest.py: one MEDIA_ROOT for the session, where the bundle's files are."""
    settings.MEDIA_ROOT = browser_media_root
    return settings.MEDIA_ROOT


@pytest.fixture(scope="session")
def bundle_dump(browser_requirements, django_db_setup, django_db_blocker, browser_media_root) -> str:
    """Ingest the bundle once, keep the rows it made as JSON, leave the database empty again."""
    from django.core.management import call_command
    from django.test import override_settings

    from madoguchi.bundle.loader import load_bundle

    out = io.StringIO()
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=browser_media_root):
        try:
            load_bundle()
            call_command("dumpdata", *_models_with_rows(), natural_foreign=True, format="json", stdout=out)
        finally:
            _empty_tables()
    return out.getvalue()


def _empty_tables() -> None:
    """Empty every table but content types and permissions, which keep their ids."""
    from django.core.management.color import no_style
    from django.db import connection

    tables = [t for t in connection.introspection.django_table_names(only_existing=True, include_views=False)
              if t not in KEEP_TABLES]
    connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables, allow_cascade=True))


def _models_with_rows() -> list[str]:
    """Labels of the models that hold rows now, but those that flush and post_migrate make anew."""
    from django.apps import apps
    from django.db import connection

    tables = set(connection.introspection.table_names())
    labels = []
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label in DUMP_EXCLUDE or meta.label_lower in DUMP_EXCLUDE:
            continue
        if meta.managed and not meta.proxy and meta.db_table in tables and model._base_manager.exists():
            labels.append(meta.label)
    return labels


@pytest.fixture
def bundle(transactional_db, bundle_dump, tmp_path) -> None:
    """The bundled datasets in the database for this test (removed by transactional_db's flush)."""
    from django.core.management import call_command

    fixture = tmp_path / "bundle.json"
    fixture.write_text(bundle_dump, encoding="utf-8")
    call_command("loaddata", str(fixture), verbosity=0)


@pytest.fixture
def staff_user(transactional_db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(STAFF_USER, password=STAFF_PASSWORD, is_staff=True)


@pytest.fixture
def login(live_server, staff_user):
    """``login(page)``: log in as the staff user through Django admin's login form (lands on /staff/)."""
    return lambda page: _login(page, live_server)


def _login(page, live_server) -> None:
    page.goto(f"{live_server.url}/admin/login/?next=/staff/")
    page.fill("#id_username", STAFF_USER)
    page.fill("#id_password", STAFF_PASSWORD)
    page.locator("form#login-form [type=submit]").click()
    page.wait_for_url(f"{live_server.url}/staff/")


@pytest.fixture
def axe():
    """``axe(page)`` → the page's WCAG 2.0/2.1 A and AA violations, as dicts."""
    return _run_axe


def _run_axe(page) -> "Violations":
    """Inject axe-core and return the WCAG 2.0/2.1 A and AA violations of the current page (once it has loaded:
    right after a click the stylesheet of the next page may still be on its way)."""
    page.wait_for_load_state("load")
    assert_site_css_applied(page)
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations'], runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' ')),
                summaries: v.nodes.map(n => n.failureSummary)}));
        }""")
    return Violations(result)


def assert_site_css_applied(page) -> None:
    """Colour contrast and layout are only checked for real when the site's stylesheet is in force."""
    loaded = page.evaluate("""() => [...document.styleSheets].some(s => {
        try { return s.href && s.href.endsWith('/madoguchi/site.css') && s.cssRules.length > 0; }
        catch (e) { return false; } })""")
    assert loaded, (f"{page.url}: madoguchi/site.css did not load (404?): the static files of "
                    "src/madoguchi/static must be found by the staticfiles finders (STATICFILES_DIRS)")


class Violations(list):
    """axe-core violations; ``describe()`` gives id, help and the nodes' targets, for assertion messages."""

    def describe(self) -> str:
        lines = []
        for v in self:
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
            for target, summary in list(zip(v["targets"], v["summaries"]))[:8]:
                lines.append(f"    {target}: {(summary or '').splitlines()[-1] if summary else ''}")
            if len(v["targets"]) > 8:
                lines.append(f"    … and {len(v['targets']) - 8} more nodes")
        return "\n".join(lines)


def poll_until(predicate, timeout_s: float = 10.0):
    """``predicate()`` once it is truthy, polled every 50 ms until the deadline (then its last value): for what
    the server does after answering (mails sent on commit, rows written by the next request)."""
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    return predicate()
