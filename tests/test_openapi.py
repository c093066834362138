"""The OpenAPI document of ``/api/v1/`` is committed, does not drift, and tells the truth.

``test_schemathesis__api_conforms`` serves the bundled real data on a live
server and runs schemathesis (all checks: no 5xx, every status, content type,
header and body as documented, invalid input rejected with 4xx, valid input
accepted) against every operation of ``/api/v1/openapi.json``.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from madoguchi.bundle.loader import load_bundle
from madoguchi.ratelimits.services import path_is_rate_limited

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "src/madoguchi/openapi.json"
REGENERATE = (".venv/bin/madoguchi export_openapi_schema --api madoguchi.api.api --indent 2 --sorted "
              "--output src/madoguchi/openapi.json")
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"

# Per-operation schemathesis settings, each with its reason.
SCHEMATHESIS_CONFIG = """
# `filters`, `sort` and `fields` of the records query name columns of the resource
# queried: a string the schema allows may still name no column, and that is a 400
# naming the parameter (documented), not a rejected valid request.
[[operations]]
include-name = "GET /api/v1/resources/{resource_id}/records"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "404"]

# A position is latitude AND longitude: one without the other is a 400 naming it
# (OpenAPI cannot say "both or neither").
[[operations]]
include-name = "GET /api/v1/shelters/nearest"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "404"]

[[operations]]
include-name = "GET /api/v1/shelters/sites.geojson"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "404"]

# A 町名 found in two wards of the city (梶ヶ谷, 野川 in Kawasaki) is a 400 listing
# both, so the caller can pick the ward.
[[operations]]
include-name = "GET /api/v1/garbage/{city}/areas/{area}"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "404"]

# A bulky-waste request names items of the fee table, a collection day of the area's calendar and 処理券
# numbers that cover the fee: a string the schema allows is still a 400 naming the field (or a 409 for a
# full day or a used ticket) — OpenAPI cannot say "an item of /fees".
[[operations]]
include-name = "POST /api/v1/bulky-waste/requests"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "404", "409"]

# The push endpoint needs an office's token, which a generated request cannot
# have (every case is a 401); its authentication and validation are tested in
# tests/test_counters.py. Generating its body also trips a schemathesis-internal
# "inconsistent results" error in the coverage phase.
[[operations]]
include-name = "POST /api/v1/counters/readings"
enabled = false

# Calendars cover 2000-01-01..2099-12-31; a date outside is a 400 naming `start`
# (OpenAPI has no minimum/maximum for dates).
[[operations]]
include-name = "GET /api/v1/reservations/facilities/{slug}/availability"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "404"]

[[operations]]
include-name = "GET /api/v1/garbage/{city}/search"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "404"]
"""


def _differences(a, b, where: str = "") -> list[str]:
    """JSON pointers (``/paths/~1api~1v1~1datasets/get/…``) where ``a`` and ``b`` differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b)):
            here = f"{where}/{str(key).replace('~', '~0').replace('/', '~1')}"
            if key not in a or key not in b:
                out.append(f"{here} ({'only served' if key in b else 'only committed'})")
            else:
                out.extend(_differences(a[key], b[key], here))
        return out
    return [] if a == b else [where or "/"]


def test_committed_openapi_document_is_current(client):
    served = client.get("/api/v1/openapi.json").json()
    text = COMMITTED.read_text(encoding="utf-8")
    committed = json.loads(text)
    hint = f"src/madoguchi/openapi.json is not what /api/v1/openapi.json serves; regenerate it:\n    {REGENERATE}"
    differences = _differences(committed, served)
    assert not differences, hint + "\ndiffering: " + "\n    ".join(differences[:30])
    assert text == json.dumps(committed, indent=2, sort_keys=True, ensure_ascii=False), hint


def test_openapi_document__every_operation_documents_its_errors():
    doc = json.loads(COMMITTED.read_text(encoding="utf-8"))
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            responses = op["responses"]
            where = f"{method.upper()} {path}"
            assert op.get("description"), where
            if op.get("parameters"):
                assert responses["400"]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/ErrorOut"}, where
            if any(p["in"] == "path" for p in op.get("parameters", [])):
                assert "404" in responses, where
            if "requestBody" in op:
                assert "413" in responses, where
            if path_is_rate_limited(path, method):
                assert "Retry-After" in responses["429"]["headers"], where
    assert "429" in doc["paths"]["/api/v1/datasets"]["get"]["responses"]
    assert "413" in doc["paths"]["/api/v1/counters/readings"]["post"]["responses"]


# The whole API in two runs, so that a failure names its owners: the open data core (catalog and datastore,
# linked: datasets list their resources) and every other router (the citizen services; new routers land here).
SCOPES = {
    "catalog-datastore": ["--include-tag", "catalog", "--include-tag", "datastore"],
    "services": ["--exclude-tag", "catalog", "--exclude-tag", "datastore"],
}


@pytest.mark.slow
@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_schemathesis__api_conforms(live_server, settings, tmp_path, scope):
    # Every bundled dataset (what `madoguchi quickstart` serves): the citizen services read theirs, and with
    # sequences reset the documented example ids (resource 1, dataset sapporo-population-by-town) exist.
    load_bundle()
    from madoguchi.plans.services import load_bundled

    load_bundled(actor="test")  # the plans API answers 404 without plans
    from django.core.management import call_command

    from madoguchi.bundle.loader import FILES

    quiet = {"stdout": io.StringIO(), "stderr": io.StringIO()}
    call_command("events", "import-standard", str(FILES / "yaizu-city" / "event_excerpt.csv"), **quiet)
    call_command("counters", "seed-demo", "--days", "2", **quiet)
    call_command("reservations", "seed-demo", **quiet)
    settings.DEBUG = True  # a 500 shows its traceback in schemathesis' report
    config = tmp_path / "schemathesis.toml"
    config.write_text(SCHEMATHESIS_CONFIG, encoding="utf-8")
    cmd = [str(SCHEMATHESIS), "--config-file", str(config), "--no-color", "run",
           f"{live_server.url}/api/v1/openapi.json", *SCOPES[scope],
           "--checks", "all",           # every check, none excluded
           "--max-examples", "30",      # per operation and phase
           "--seed", "1",
           "--workers", "1",           # one thread: CPython 3.11 raises "AST constructor recursion depth mismatch" when
                                        # hypothesis parses lambdas in several threads at once (seen in CI)
           "--request-timeout", "20",
           "--generation-database", "none",
           "--output-truncate", "false"]
    run = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    output = run.stdout + run.stderr
    assert run.returncode == 0, f"schemathesis found problems ({' '.join(cmd)}):\n{output}"
    # warnings (e.g. the push endpoint answering only 401 without a token) are not failures
    assert "FAILURES" not in output, output


def test_schema_names__unique_across_routers():
    """django-ninja names an OpenAPI component after its Schema class: two routers with a class of the same
    name (``events.api.ApplicationOut`` and ``applications.api.ApplicationOut`` did) silently share one
    component, and one of them documents the other's shape."""
    import importlib
    import pkgutil

    import madoguchi
    from ninja import Schema

    seen: dict[str, str] = {}
    clashes = []
    for mod in pkgutil.iter_modules(madoguchi.__path__):
        try:
            api = importlib.import_module(f"madoguchi.{mod.name}.api")
        except ModuleNotFoundError:
            continue
        for name, obj in vars(api).items():
            if isinstance(obj, type) and issubclass(obj, Schema) and obj.__module__ == api.__name__:
                if name in seen and seen[name] != api.__name__:
                    clashes.append((name, seen[name], api.__name__))
                seen.setdefault(name, api.__name__)
    assert clashes == []
