"""Docs and migrations stay honest: every command and setting is in the README,
every model change has a migration."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
SETTINGS = "\n".join(p.read_text() for p in sorted((ROOT / "src/madoguchi/settings").glob("*.py")))
COMMANDS = sorted(p.stem.replace("_", "-") for p in ROOT.glob("src/madoguchi/*/management/commands/*.py")
                  if not p.stem.startswith("_"))


def test_readme_starts_with_exactly_two_commands():
    blocks = re.findall(r"```sh\n(.*?)```", README, re.S)
    assert blocks[:2] == [
        "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/pip install --no-deps -r requirements-nodeps.txt "
        "&& .venv/bin/madoguchi quickstart\n",
        "./scripts/test\n"]
    assert "./scripts/test" in (ROOT / ".ci/run").read_text()


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_documented(command):
    assert f"madoguchi {command}" in README


@pytest.mark.parametrize("name", sorted(set(re.findall(r'environ\.get\("(MADOGUCHI_\w+|DATABASE_URL)"', SETTINGS))
                                        | {"DATABASE_URL"}))
def test_every_environment_setting_is_documented(name):
    assert name in README


def test_migrations_are_complete(db):
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_every_setting_is_declared_once_not_defaulted_where_read():
    """Settings live in madoguchi.settings with their unit; ``getattr(settings, "X", default)`` would hide
    an undeclared one (and scatter its default)."""
    offenders = [f"{p.relative_to(ROOT)}:{n}" for p in sorted((ROOT / "src/madoguchi").rglob("*.py"))
                 for n, line in enumerate(p.read_text().splitlines(), start=1) if "getattr(settings," in line]
    assert offenders == []
