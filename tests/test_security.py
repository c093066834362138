"""Security of the production core (issue #12, part 6): CKAN writes need a token, CSRF everywhere else,
rate limits with 429 and Retry-After, HEAD wherever GET, password rules, and production settings that
refuse unsafe values and pass ``check --deploy``."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from madoguchi.catalog.models import Dataset
from madoguchi.ckan.models import ApiToken
from madoguchi.ratelimits import services as ratelimits

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user("sec-clerk", password="x", is_staff=True, is_superuser=True)


@pytest.fixture
def dataset(make_dataset):
    return make_dataset("sec-data", title="元のタイトル")


# --- CKAN write actions: token only -------------------------------------------------------------------

@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "application/json",
                                          "multipart/form-data"])
def test_ckan_write__a_staff_session_is_refused(client, staff, dataset, content_type):
    client.force_login(staff)
    params = {"id": "sec-data", "title": "書き換え"}
    if content_type == "application/json":
        response = client.post("/api/3/action/package_patch", data=json.dumps(params), content_type=content_type)
    elif content_type == "multipart/form-data":
        response = client.post("/api/3/action/package_patch", data=params)
    else:
        response = client.post("/api/3/action/package_patch", data="id=sec-data&title=%E6%9B%B8", content_type=content_type)
    assert response.status_code == 403
    body = response.json()
    assert body["success"] is False and "Authorization" in body["error"]["message"]
    assert Dataset.objects.get(slug="sec-data").title == "元のタイトル"


def test_ckan_write__the_token_in_authorization_works(client, staff, dataset):
    token = ApiToken.issue(staff, "sec")[1]
    response = client.post("/api/3/action/package_patch", data=json.dumps({"id": "sec-data", "title": "新しい"}),
                           content_type="application/json", HTTP_AUTHORIZATION=token)
    assert response.status_code == 200 and response.json()["result"]["title"] == "新しい"


def test_ckan_read__a_staff_session_still_shows_private_datasets_with_get(client, staff, make_dataset):
    make_dataset("sec-private", title="非公開", private=True)
    assert client.get("/api/3/action/package_show", {"id": "sec-private"}).status_code == 404
    client.force_login(staff)
    assert client.get("/api/3/action/package_show", {"id": "sec-private"}).status_code == 200


# --- CSRF everywhere else -----------------------------------------------------------------------------

@pytest.mark.parametrize("path,data", [
    ("/reservations/register/", {"email": "a@example.jp", "name": "a", "password1": "Zx-1234567890",
                                 "password2": "Zx-1234567890"}),
    ("/admin/login/", {"username": "sec-clerk", "password": "x"}),
])
def test_csrf__forms_without_the_token_are_refused(staff, path, data):
    client = Client(enforce_csrf_checks=True)
    response = client.post(path, data)
    assert response.status_code == 403
    assert not get_user_model().objects.filter(username="a@example.jp").exists()


# --- passwords ----------------------------------------------------------------------------------------

def test_registration__refuses_weak_passwords(client):
    response = client.post("/reservations/register/", {
        "email": "weak@example.jp", "name": "弱い", "password1": "12345678", "password2": "12345678"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "password2" in response.context["form"].errors
    assert not get_user_model().objects.filter(username="weak@example.jp").exists()
    assert "よく使われる" in text or "短すぎ" in text or "数字だけ" in text


# --- rate limits ----------------------------------------------------------------------------------------

def test_parse_rate():
    assert ratelimits.parse_rate("10/5m") == (10, 300)
    assert ratelimits.parse_rate("5/h") == (5, 3600)
    with pytest.raises(ValueError):
        ratelimits.parse_rate("ten per minute")


@pytest.fixture
def clock(monkeypatch):
    """Rate-limit windows at a fixed moment (a window must not end in the middle of a test)."""
    import datetime as dt
    import types

    moment = dt.datetime(2026, 12, 5, 10, 0, 30, tzinfo=dt.timezone.utc)
    monkeypatch.setattr(ratelimits, "timezone", types.SimpleNamespace(now=lambda: moment))
    return moment


@pytest.mark.parametrize("path,method,status_body", [
    ("/admin/login/", "post", "html"),
    ("/reservations/login/", "post", "html"),
    ("/api/v1/datasets", "get", "api"),
    ("/api/3/action/package_search", "get", "ckan"),
    ("/api/v1/counters/readings", "post", "api"),
])
def test_rate_limits__429_with_retry_after(client, settings, clock, path, method, status_body):
    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "3/m", "search": "3/m", "counter_push": "3/m"}
    call = getattr(client, method)
    statuses = [call(path, {"username": "nobody", "password": "wrong"} if method == "post" else {}).status_code
                for _ in range(4)]
    assert 429 not in statuses[:3] and statuses[3] == 429
    response = call(path)
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 30  # the minute's window ends 30 s after the frozen moment
    if status_body == "api":
        assert response.json()["error"]["code"] == "rate_limited"
    elif status_body == "ckan":
        assert response.json()["success"] is False and response.json()["error"]["__type"] == "Too Many Requests"
    else:
        assert "もう一度お試しください" in response.content.decode()


def test_rate_limits__counted_per_client(client, settings, clock):
    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "search": "2/m"}
    for _ in range(2):
        assert client.get("/api/v1/datasets", REMOTE_ADDR="192.0.2.1").status_code == 200
    assert client.get("/api/v1/datasets", REMOTE_ADDR="192.0.2.1").status_code == 429
    assert client.get("/api/v1/datasets", REMOTE_ADDR="192.0.2.2").status_code == 200


def test_rate_limits__a_new_window_starts_again(settings):
    import datetime as dt

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "search": "1/m"}
    t0 = dt.datetime(2026, 12, 5, 10, 0, 5, tzinfo=dt.timezone.utc)
    assert ratelimits.hit("search", "ip:x", now=t0).allowed
    second = ratelimits.hit("search", "ip:x", now=t0 + dt.timedelta(seconds=10))
    assert not second.allowed and second.retry_after_s == 45
    assert ratelimits.hit("search", "ip:x", now=t0 + dt.timedelta(seconds=60)).allowed


# --- HEAD wherever GET ------------------------------------------------------------------------------------

HEAD_PATHS = ["/", "/datasets/", "/datasets/sec-data/", "/api/v1/datasets", "/api/v1/datasets/sec-data",
              "/api/v1/openapi.json", "/api/3/action/package_list", "/catalog.ttl", "/datasets/sec-data.ttl",
              "/datasets/sec-data/datapackage.json", "/garbage/", "/shelters/", "/events/", "/counters/",
              "/plans/", "/reservations/", "/standards/", "/events/calendar.ics", "/events/feed.rss",
              "/api/v1/events", "/api/v1/counters", "/api/v1/standards", "/datasets/nothing-here/"]


@pytest.mark.parametrize("path", HEAD_PATHS)
def test_head__answers_as_get_without_a_body(client, dataset, path):
    get = client.get(path)
    head = client.head(path)
    assert head.status_code == get.status_code != 405
    assert head.content == b""
    assert head["Content-Type"] == get["Content-Type"]
    if not get.streaming:
        assert int(head["Content-Length"]) == len(get.content)


# --- production settings ------------------------------------------------------------------------------------

def _production(env_extra: dict, tmp_path, *args: str) -> subprocess.CompletedProcess:
    # DJANGO_ALLOW_ASYNC_UNSAFE: the browser tests' Playwright loop needs it in this process, never a server
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("MADOGUCHI_") and k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update({"DJANGO_SETTINGS_MODULE": "madoguchi.settings.production", **env_extra})
    return subprocess.run([sys.executable, "-m", "madoguchi.cli", *args], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)


GOOD = {"MADOGUCHI_SECRET_KEY": "k" * 20 + "-production-secret-key-for-the-test-0123456789",
        "MADOGUCHI_ALLOWED_HOSTS": "opendata.city.example.jp"}


@pytest.mark.slow
def test_production_settings__check_deploy_is_clean(tmp_path):
    result = _production({**GOOD, "MADOGUCHI_DATA_DIR": str(tmp_path / "data")}, tmp_path,
                         "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("missing,message", [
    ({"MADOGUCHI_SECRET_KEY": ""}, "MADOGUCHI_SECRET_KEY"),
    ({"MADOGUCHI_SECRET_KEY": "short"}, "50"),
    ({"MADOGUCHI_DATA_DIR": "var"}, "絶対パス"),
    ({"MADOGUCHI_ALLOWED_HOSTS": ""}, "MADOGUCHI_ALLOWED_HOSTS"),
])
def test_production_settings__refuse_to_start_without_safe_values(tmp_path, missing, message):
    env = {**GOOD, "MADOGUCHI_DATA_DIR": str(tmp_path / "data"), **missing}
    result = _production(env, tmp_path, "check")
    assert result.returncode != 0
    assert message in result.stderr
    assert not (tmp_path / "var").exists()  # no database made in the working directory
