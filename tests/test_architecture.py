"""App boundaries (README "Layout", issue #12): import-linter contracts in pyproject.toml.

Another app imports only ``<app>.services`` and ``<app>.models`` (bundle: ``loader``); the
framework entry points (apps, urls and other ``*_urls`` URLconfs, admin, migrations, management,
templatetags) are imported by Django. Every other module of an app must be listed in that app's ``protected`` contract, so a new
private module cannot slip through unprotected; and the datastore must not import the apps that
check its tables (they register ingestion hooks instead).
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "madoguchi"
ENTRY_POINTS = {"apps", "urls", "admin", "migrations", "management", "templatetags"}
PUBLIC = {"services", "models"}
EXTRA_PUBLIC = {"bundle": {"loader"}}


def _config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]


def _apps() -> list[str]:
    """Every app package (has an ``apps.py``) and the bundle data package."""
    return sorted({p.parent.name for p in PACKAGE.glob("*/apps.py")} | {"bundle"})


def _private_modules(app: str) -> list[str]:
    """Dotted names (``madoguchi.<app>.<module>``) of the app's modules other apps must not import.

    Submodules of a ``services`` or ``models`` package are private too (import the package).
    """
    out = []
    for path in sorted((PACKAGE / app).rglob("*.py")):
        parts = list(path.relative_to(PACKAGE / app).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if not parts or parts[0] in ENTRY_POINTS or parts[0].endswith("_urls"):
            continue
        if len(parts) == 1 and (parts[0] in PUBLIC or parts[0] in EXTRA_PUBLIC.get(app, set())):
            continue
        out.append(".".join(["madoguchi", app, *parts]))
    return out


def _uncovered(modules: list[str], protected: list[str]) -> list[str]:
    """Modules neither listed nor inside a listed package (contracts use ``as_packages``)."""
    return [m for m in modules if not any(m == p or m.startswith(p + ".") for p in protected)]


def _protected_by_app(config: dict) -> dict[str, list[str]]:
    """``{app: protected modules}`` of the contracts that allow only the app itself to import them."""
    out: dict[str, list[str]] = {}
    for contract in config["contracts"]:
        if contract["type"] != "protected":
            continue
        importers = contract["allowed_importers"]
        assert len(importers) == 1 and importers[0].count(".") == 1, contract["id"]
        app = importers[0].split(".")[1]
        assert all(m.startswith(importers[0] + ".") for m in contract["protected_modules"]), contract["id"]
        out.setdefault(app, []).extend(contract["protected_modules"])
    return out


def test_lint_imports__every_contract_kept():
    config = _config()
    result = subprocess.run([str(Path(sys.executable).with_name("lint-imports")), "--no-cache"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(config['contracts'])} kept, 0 broken." in result.stdout, result.stdout


def test_contracts__every_private_module_of_every_app_is_protected():
    protected = _protected_by_app(_config())
    missing = {app: _uncovered(_private_modules(app), protected.get(app, [])) for app in _apps()}
    assert {app: mods for app, mods in missing.items() if mods} == {}
    # and nothing listed that does not exist (a renamed module would protect nothing)
    known = {m for app in _apps() for m in _private_modules(app)}
    stale = [m for mods in protected.values() for m in mods if m not in known]
    assert stale == []


def test_contracts__completeness_check_finds_an_unlisted_module():
    modules = _private_modules("datastore")
    assert "madoguchi.datastore.reading.base" in modules and "madoguchi.datastore.services" not in modules
    protected = _protected_by_app(_config())["datastore"]
    assert _uncovered(modules, protected) == []
    assert _uncovered(modules, [m for m in protected if m != "madoguchi.datastore.sql"]) == ["madoguchi.datastore.sql"]
    assert "madoguchi.reservations.services.draw" in _private_modules("reservations")
    assert "madoguchi.bundle.loader" not in _private_modules("bundle")


def test_contracts__datastore_does_not_import_the_apps_that_check_its_tables():
    (contract,) = [c for c in _config()["contracts"] if c["id"] == "datastore-one-way"]
    assert contract["type"] == "forbidden" and contract["source_modules"] == ["madoguchi.datastore"]
    assert sorted(contract["forbidden_modules"]) == ["madoguchi.privacy", "madoguchi.quality", "madoguchi.standards"]


def test_ingestion_hooks__registered_by_standards_quality_privacy_in_order():
    from madoguchi.datastore import hooks

    assert [f"{f.__module__}.{f.__name__}" for f in hooks.table_checks()] == [
        "madoguchi.standards.apps.ingestion_check", "madoguchi.privacy.apps.ingestion_check"]
    assert sorted(hooks._assessors) == ["quality"]


def test_ingestion_hooks__results_land_in_the_report(ingest):
    version = ingest("名称,住所\nA,川崎市\n".encode(), "aed.csv")
    report = version.report
    assert report["privacy"] == [] and report["standard"] is None
    assert isinstance(report["standard_suggestions"], list)
    assert report["quality"]["schema_version"] == 2
