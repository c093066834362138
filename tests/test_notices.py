"""Notices (issue #17 parts 1–3): subscriptions, send_notice, idempotent batches, channels' bad input."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core import mail

from madoguchi.notices import services
from madoguchi.notices.channels import line
from madoguchi.notices.journal import Journal
from madoguchi.notices.models import (
    Area,
    Click,
    Delivery,
    Notice,
    Subscription,
    Topic,
    WebhookRecord,
)

pytestmark = pytest.mark.django_db
# LINE's webhook fixtures and OpenAPI (Apache-2.0; tests/files/line-webhook/PROVENANCE.md)
LINE_FIXTURES = Path(__file__).resolve().parent / "files" / "line-webhook"
VECTOR = ("channel_secret", b"bodybodybodybody", "/gg9a+LvFevTH1sd7XCQycD7tsWclCsInj7MhBHxN7k=")


@pytest.fixture(autouse=True)
def default_topics(db):
    """Installed by migration 0002; a transactional test that ran before in this process emptied them."""
    services.install_defaults()


@pytest.fixture(autouse=True)
def notice_settings(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.NOTICES_SITE_URL = "https://www.example.jp"
    settings.NOTICES_FROM_EMAIL = "notices@example.jp"
    settings.NOTICES_UNSUBSCRIBE_MAILTO = "unsubscribe@example.jp"
    settings.NOTICES_BATCH_SIZE = 500
    settings.NOTICES_DB_FLUSH_EVERY = 50
    settings.NOTICES_VERIFY_MAX_AGE_S = 48 * 3600
    settings.NOTICES_LINE_CHANNEL_SECRET = "channel_secret"
    settings.NOTICES_LINE_CHANNEL_ACCESS_TOKEN = "test-token"
    settings.NOTICES_LINE_API_HOST = "http://127.0.0.1:9"
    settings.NOTICES_LINE_MAX_REQUESTS_PER_S = 1000
    settings.NOTICES_LINE_DEFAULT_TOPIC = "bousai"
    settings.NOTICES_VAPID_PRIVATE_KEY = "x"
    settings.NOTICES_VAPID_PUBLIC_KEY = ""
    settings.NOTICES_VAPID_SUBJECT = "mailto:webmaster@example.jp"
    return settings


def _sub(channel, address, topics=("bousai",), areas=(), verified=True, keys=None):
    s = Subscription.objects.create(channel=channel, address=address, verified=verified, keys=keys or {})
    s.topics.set(Topic.objects.filter(slug__in=topics))
    s.areas.set(Area.objects.filter(name__in=areas))
    return s


def _sign(body: bytes, secret: str = "channel_secret") -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


# --- LINE webhook ---------------------------------------------------------------------------------------


def test_line_signature_test_vector(settings):
    settings.NOTICES_LINE_CHANNEL_SECRET = VECTOR[0]
    assert line.signature_ok(VECTOR[1], VECTOR[2]) is True
    assert _sign(VECTOR[1], VECTOR[0]) == VECTOR[2]
    assert line.signature_ok(VECTOR[1] + b" ", VECTOR[2]) is False
    assert line.signature_ok(VECTOR[1], "") is False


def test_forged_line_signature_refused_and_recorded(client):
    body = json.dumps({"events": [{"type": "follow", "source": {"type": "user", "userId": "U1"}}]}).encode()
    r = client.post("/notices/line/webhook", body, content_type="application/json",
                    HTTP_X_LINE_SIGNATURE=_sign(body, "not-the-secret"))
    assert r.status_code == 403
    r2 = client.post("/notices/line/webhook", body, content_type="application/json")
    assert r2.status_code == 403
    assert list(WebhookRecord.objects.values_list("reason", flat=True).order_by("pk")) == [
        "X-Line-Signature が一致しません", "X-Line-Signature がありません"]
    assert not Subscription.objects.exists()


def test_line_follow_postback_text_unfollow(client, monkeypatch):
    replies = []
    monkeypatch.setattr(line, "_reply", lambda token, text, quick=None: replies.append((token, text, quick)))

    class A:
        status, message, best = "unanswered", "見つかりませんでした。", None

    monkeypatch.setattr("madoguchi.faq.services.ask", lambda text, channel="web": A())

    def post(events):
        body = json.dumps({"destination": "x", "events": events}, ensure_ascii=False).encode()
        return client.post("/notices/line/webhook", body, content_type="application/json",
                           HTTP_X_LINE_SIGNATURE=_sign(body))

    src = {"type": "user", "userId": "U" + "a" * 32}
    assert post([{"type": "follow", "replyToken": "t1", "source": src}]).status_code == 200
    sub = Subscription.objects.get(channel="line")
    assert [t.slug for t in sub.topics.all()] == ["bousai"]
    assert any(d == "topic=event" for _, d in replies[0][2])
    post([{"type": "postback", "replyToken": "t2", "source": src, "postback": {"data": "topic=event"}},
          {"type": "postback", "replyToken": "t3", "source": src, "postback": {"data": "area=幸区"}},
          {"type": "message", "replyToken": "t4", "source": src, "message": {"type": "text", "text": "粗大ごみ"}}])
    assert sorted(t.slug for t in sub.topics.all()) == ["bousai", "event"]
    assert [a.name for a in sub.areas.all()] == ["幸区"]
    assert replies[-1][1].startswith("見つかりませんでした。") and "https://www.example.jp/faq/" in replies[-1][1]
    post([{"type": "unfollow", "source": src}])
    assert not Subscription.objects.filter(channel="line").exists()


@pytest.mark.skipif(not LINE_FIXTURES.is_dir(), reason="../shared LINE fixtures absent")
def test_line_sdk_fixture_events_handled(client, monkeypatch):
    monkeypatch.setattr(line, "_reply", lambda *a, **k: None)
    monkeypatch.setattr(line, "answer_text", lambda q: "answer")
    body = (LINE_FIXTURES / "line-bot-sdk-python_v3_webhook.json").read_bytes()
    r = client.post("/notices/line/webhook", body, content_type="application/json", HTTP_X_LINE_SIGNATURE=_sign(body))
    assert r.status_code == 200
    events = json.loads(body)["events"]
    followed = {e["source"]["userId"] for e in events if e["type"] == "follow"}
    unfollowed = {e["source"]["userId"] for e in events if e["type"] == "unfollow"}
    assert set(Subscription.objects.filter(channel="line").values_list("address", flat=True)) == followed - unfollowed


# --- subscribe / verify / unsubscribe ------------------------------------------------------------------


def test_subscribe_verify_notice_unsubscribe(client):
    r = client.post("/notices/", {"email": "Hanako@Example.jp", "topics": ["bousai"], "areas": ["幸区"]})
    assert r.status_code == 200 and "確認メールを送りました" in r.content.decode()
    assert len(mail.outbox) == 1
    link = re.search(r"https://www\.example\.jp(/notices/v/\S+/)", mail.outbox[0].body).group(1)
    services.send_notice(title="訓練", body="本文", topic="bousai")
    assert len(mail.outbox) == 1  # nothing before the address is verified
    assert client.get(link).status_code == 200
    assert Subscription.objects.get().verified is True
    assert client.get("/notices/v/forged-token/").status_code == 400
    notice = services.send_notice(title="大雨警報", body="川崎市に大雨警報", link="https://www.city.kawasaki.jp/",
                                  topic="bousai", areas=["幸区"])
    assert len(mail.outbox) == 2
    msg = mail.outbox[1]
    assert msg.to == ["hanako@example.jp"] and msg.subject == "大雨警報"
    url = re.search(r"<(https://[^>]+)>", msg.extra_headers["List-Unsubscribe"]).group(1)
    assert Delivery.objects.get(notice=notice).status == "sent"
    # RFC 8058: a POST without session or CSRF token unsubscribes
    from django.test import Client

    bare = Client(enforce_csrf_checks=True)
    r = bare.post(url.removeprefix("https://www.example.jp"), "List-Unsubscribe=One-Click",
                  content_type="application/x-www-form-urlencoded")
    assert r.status_code == 200
    assert not Subscription.objects.exists()
    assert Delivery.objects.get(notice=notice).subscription is None  # the record stays, without the address
    assert bare.post("/notices/u/forged/").status_code == 400


def test_subscribe_refuses_bad_input(client):
    r = client.post("/notices/", {"email": "not-an-address", "topics": ["bousai"]})
    assert r.status_code == 400 and not Subscription.objects.exists() and not mail.outbox
    r = client.post("/notices/", {"email": "a@example.jp"})
    assert r.status_code == 400 and not Subscription.objects.exists()


def test_rfc8058_headers_on_every_mail():
    for i in range(3):
        _sub("mail", f"p{i}@example.jp")
    services.send_notice(title="お知らせ", body="本文", topic="bousai")
    assert len(mail.outbox) == 3
    ids = set()
    for m in mail.outbox:
        h = m.extra_headers
        assert h["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert re.fullmatch(r"<https://www\.example\.jp/notices/u/[^>]+/>, <mailto:unsubscribe@example\.jp\?subject=[^>]+>",
                            h["List-Unsubscribe"])
        assert "配信停止" in m.body
        ids.add(m.message()["Message-ID"])
    assert len(ids) == 3


# --- who gets what ------------------------------------------------------------------------------------


def test_send_notice_reaches_only_matching_subscribers():
    kawasaki = _sub("mail", "kawasaki@example.jp", areas=["川崎区"])
    _sub("mail", "saiwai@example.jp", areas=["幸区"])
    everywhere = _sub("mail", "all@example.jp")
    both = _sub("mail", "both@example.jp", areas=["幸区", "川崎区"])
    _sub("mail", "events@example.jp", topics=["event"], areas=["川崎区"])
    _sub("mail", "unverified@example.jp", areas=["川崎区"], verified=False)
    line_sub = _sub("line", "U1", areas=["川崎区"])
    notice = services.send_notice(title="t", body="b", topic="bousai", areas=["川崎区"], channels=["mail"])
    got = set(Delivery.objects.filter(notice=notice).values_list("subscription_id", flat=True))
    assert got == {kawasaki.pk, everywhere.pk, both.pk}
    assert sorted(m.to[0] for m in mail.outbox) == ["all@example.jp", "both@example.jp", "kawasaki@example.jp"]
    assert line_sub.pk not in got
    everyone = services.send_notice(title="t", body="b", topic="event", channels=["mail"])
    assert Delivery.objects.filter(notice=everyone).count() == 1
    with pytest.raises(services.NoticeError):
        services.send_notice(title="t", body="b", topic="no-such-topic")
    with pytest.raises(services.NoticeError):
        services.send_notice(title="t", body="b", topic="bousai", channels=["fax"])


def test_batches_of_batch_size(settings):
    settings.NOTICES_BATCH_SIZE = 2
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    for i in range(5):
        _sub("mail", f"p{i}@example.jp")
    from django_tasks import default_task_backend

    services.send_notice(title="t", body="b", topic="bousai")
    calls = [r.args for r in default_task_backend.results]
    assert len(calls) == 3 and [c[1] for c in calls] == ["mail"] * 3
    assert not mail.outbox


def test_rerun_of_a_batch_sends_nothing_twice(settings):
    """A worker killed after SMTP accepted some messages: the journal has them, the database not yet."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    subs = [_sub("mail", f"p{i}@example.jp") for i in range(6)]
    notice = services.send_notice(title="t", body="b", topic="bousai")
    ids = list(Delivery.objects.filter(notice=notice).order_by("pk").values_list("pk", flat=True))
    assert len(ids) == 6
    with Journal(notice.pk, "mail") as j:  # accepted before the kill, not yet marked in the database
        j.accepted(ids[0])
        j.accepted(ids[1])
    Delivery.objects.filter(pk=ids[2]).update(status="sent")  # marked before the kill
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from madoguchi.notices.tasks import deliver_batch

    result = deliver_batch.enqueue(notice.pk, "mail", ids[0], ids[-1]).return_value
    assert result == {"sent": 3, "failed": 0, "skipped": 3}
    assert sorted(m.to[0] for m in mail.outbox) == [f"p{i}@example.jp" for i in range(3, 6)]
    again = deliver_batch.enqueue(notice.pk, "mail", ids[0], ids[-1]).return_value
    assert again == {"sent": 0, "failed": 0, "skipped": 6}
    assert len(mail.outbox) == 3
    assert Delivery.objects.filter(notice=notice, status="sent").count() == 6
    assert Notice.objects.get(pk=notice.pk).state == "done"
    assert len(subs) == 6


def test_duplicate_delivery_refused_by_constraint():
    from django.db import IntegrityError, transaction

    s = _sub("mail", "a@example.jp")
    notice = services.send_notice(title="t", body="b", topic="bousai")
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(notice=notice, subscription=s, channel="mail")
    services.queue_notice(notice)  # queued again: no second delivery, no second mail
    assert Delivery.objects.filter(notice=notice).count() == 1 and len(mail.outbox) == 1


# --- channels' bad input -------------------------------------------------------------------------------


def test_expired_webpush_subscription_removed(monkeypatch):
    from pywebpush import WebPushException

    class Resp:
        def __init__(self, code):
            self.status_code, self.text = code, "gone"

    pushed = []

    def fake_webpush(subscription_info, data, **kw):
        endpoint = subscription_info["endpoint"]
        if endpoint.endswith("/gone"):
            raise WebPushException("Push failed: 410 Gone", response=Resp(410))
        if endpoint.endswith("/missing"):
            raise WebPushException("Push failed: 404 Not Found", response=Resp(404))
        pushed.append((endpoint, json.loads(data)))

    monkeypatch.setattr("pywebpush.webpush", fake_webpush)
    keys = {"p256dh": "k", "auth": "a"}
    _sub("webpush", "https://push.example/ok", keys=keys)
    _sub("webpush", "https://push.example/gone", keys=keys)
    _sub("webpush", "https://push.example/missing", keys=keys)
    notice = services.send_notice(title="避難情報", body="本文", link="https://www.city.kawasaki.jp/x", topic="bousai")
    assert [p[0] for p in pushed] == ["https://push.example/ok"]
    assert pushed[0][1]["title"] == "避難情報" and "/notices/r/" in pushed[0][1]["url"]
    assert list(Subscription.objects.values_list("address", flat=True)) == ["https://push.example/ok"]
    failed = sorted(Delivery.objects.filter(notice=notice, status="failed").values_list("reason", flat=True))
    assert len(failed) == 2 and failed[0].startswith("Web Push 404") and failed[1].startswith("Web Push 410")
    assert services.reach(notice)["webpush"] == {"queued": 0, "sent": 1, "failed": 2, "clicked": 0}


@pytest.fixture
def smtp_sink(settings):
    """A local aiosmtpd server that refuses ``bounce@…`` with 550 and ``later@…`` with 451."""
    from aiosmtpd.controller import Controller

    class Handler:
        def __init__(self):
            self.received = []

        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address.startswith("bounce@"):
                return "550 5.1.1 No such user"
            if address.startswith("later@"):
                return "451 4.3.0 Try again later"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            self.received.append((envelope.rcpt_tos[0], envelope.content))
            return "250 Message accepted"

    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield handler
    controller.stop()


def test_mail_bounce_recorded_failed_nothing_lost(smtp_sink):
    _sub("mail", "a@example.jp")
    _sub("mail", "bounce@example.jp")
    _sub("mail", "b@example.jp")
    notice = services.send_notice(title="t", body="b", topic="bousai")
    assert sorted(r for r, _ in smtp_sink.received) == ["a@example.jp", "b@example.jp"]
    rows = {d.subscription.address: d for d in Delivery.objects.filter(notice=notice).select_related("subscription")}
    assert rows["a@example.jp"].status == rows["b@example.jp"].status == "sent"
    assert rows["bounce@example.jp"].status == "failed" and rows["bounce@example.jp"].reason.startswith("SMTP 550")
    content = smtp_sink.received[0][1].decode()
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in content


def test_mail_temporary_refusal_is_retried_then_recorded(smtp_sink):
    _sub("mail", "a@example.jp")
    _sub("mail", "later@example.jp")
    notice = services.send_notice(title="t", body="b", topic="bousai")
    # immediate backend: one attempt only, so give_up records the reason; the good one was sent once
    rows = {d.subscription.address: d for d in Delivery.objects.filter(notice=notice).select_related("subscription")}
    assert rows["a@example.jp"].status == "sent" and [r for r, _ in smtp_sink.received] == ["a@example.jp"]
    assert rows["later@example.jp"].status == "failed" and "SMTP 451" in rows["later@example.jp"].reason


# --- LINE multicast ------------------------------------------------------------------------------------


@pytest.fixture
def line_api(settings):
    seen = {"keys": set(), "calls": [], "recipients": []}

    class H(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            key = self.headers.get("X-Line-Retry-Key")
            seen["calls"].append((self.path, self.headers.get("Authorization"), key))
            if key in seen["keys"]:
                self.send_response(409)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"message":"The retry key is already accepted"}')
                return
            seen["keys"].add(key)
            seen["recipients"].extend(body["to"])
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

    server = ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.NOTICES_LINE_API_HOST = f"http://127.0.0.1:{server.server_port}"
    yield seen
    server.shutdown()


def test_line_multicast_idempotent_with_retry_key(line_api, settings):
    for i in range(3):
        _sub("line", f"U{i:032d}")
    notice = services.send_notice(title="避難", body="本文", topic="bousai", channels=["line"])
    assert sorted(line_api["recipients"]) == [f"U{i:032d}" for i in range(3)]
    path, auth, key = line_api["calls"][0]
    assert path == "/v2/bot/message/multicast" and auth == "Bearer test-token" and key
    assert services.reach(notice)["line"]["sent"] == 3
    # a retry of the same batch after a lost answer: LINE says 409, nothing is sent twice
    Delivery.objects.filter(notice=notice).update(status="queued")
    ids = list(Delivery.objects.filter(notice=notice).order_by("pk").values_list("pk", flat=True))
    from madoguchi.notices.tasks import deliver_batch

    assert deliver_batch.enqueue(notice.pk, "line", ids[0], ids[-1]).return_value["sent"] == 3
    assert len(line_api["recipients"]) == 3 and len(line_api["calls"]) == 2
    assert Delivery.objects.filter(notice=notice, status="sent").count() == 3


# --- reach, feeds, clicks ------------------------------------------------------------------------------


def test_click_redirect_counts_and_feeds(client):
    _sub("mail", "a@example.jp")
    notice = services.send_notice(title="防災訓練のお知らせ", body="本文", link="https://www.city.kawasaki.jp/bousai",
                                  topic="bousai")
    url = re.search(r"https://www\.example\.jp(/notices/r/\S+)", mail.outbox[0].body).group(1)
    r = client.get(url)
    assert r.status_code == 302 and r["Location"] == "https://www.city.kawasaki.jp/bousai"
    assert Click.objects.filter(notice=notice, channel="mail").count() == 1
    assert services.reach(notice)["mail"] == {"queued": 0, "sent": 1, "failed": 0, "clicked": 1}
    assert client.get("/notices/r/forged").status_code == 404
    rss = client.get("/notices/feed/bousai/rss.xml")
    assert rss.status_code == 200 and "防災訓練のお知らせ" in rss.content.decode()
    atom = client.get("/notices/feed/bousai/atom.xml")
    assert atom.status_code == 200 and b"http://www.w3.org/2005/Atom" in atom.content
    assert client.get("/notices/feed/nothing/rss.xml").status_code == 404
    sw = client.get("/notices/sw.js")
    assert sw.status_code == 200 and sw["Service-Worker-Allowed"] == "/"


def test_kpi_metric_registered():
    import datetime as dt

    from madoguchi.plans.services import metric_value

    _sub("mail", "a@example.jp")
    notice = services.send_notice(title="t", body="b", link="https://x.example/", topic="bousai")
    Click.objects.create(notice=notice, channel="mail")
    today = dt.date.today()
    year = today.year if today.month >= 4 else today.year - 1
    assert metric_value("notices.click_share", year, today=today) == 100


def test_staff_write_preview_send(client, django_user_model):
    staff = django_user_model.objects.create_user("staff", password="x" * 12, is_staff=True)
    client.force_login(staff)
    _sub("mail", "a@example.jp", areas=["幸区"])
    topic = Topic.objects.get(slug="bousai")
    r = client.post("/notices/staff/new", {"title": "断水", "body": "幸区で断水", "topic": topic.pk, "areas": ["幸区"],
                                           "channels": ["mail"]})
    assert r.status_code == 302
    notice = Notice.objects.get()
    assert notice.state == "draft" and notice.areas == ["幸区"] and not mail.outbox
    page = client.get(f"/notices/staff/{notice.pk}/").content.decode()
    assert "List-Unsubscribe-Post" in page and "幸区で断水" in page
    assert client.post(f"/notices/staff/{notice.pk}/send").status_code == 302
    assert len(mail.outbox) == 1 and Notice.objects.get().state == "done"
    client.logout()
    assert client.get("/notices/staff/").status_code == 302


def test_send_at_in_the_future_is_deferred(settings):
    import datetime as dt

    from django.utils import timezone

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    _sub("mail", "a@example.jp")
    when = timezone.now() + dt.timedelta(hours=2)
    notice = services.send_notice(title="t", body="b", topic="bousai", send_at=when)
    from django_tasks import default_task_backend

    (result,) = default_task_backend.results
    assert result.task.name == "queue_notice_task" and result.task.run_after == when and result.args == [notice.pk]
    assert notice.state == "scheduled" and not Delivery.objects.exists()


def test_line_text_message_answered_by_the_faq_assistant(monkeypatch):
    class Entry:
        answer = "粗大ごみは電話かインターネットで申し込みます。"

    class A:
        status, message = "answered", ""
        best = type("Hit", (), {"entry": Entry()})()

    monkeypatch.setattr("madoguchi.faq.services.ask", lambda text, channel="web": A() if channel == "line" else None)
    assert line.answer_text("粗大ごみの出し方") == Entry.answer


def test_line_rate_limited_is_retried_not_lost(line_api, settings, monkeypatch):
    """429 from LINE: the batch stays queued and the task raises (a retry with backoff); with the immediate
    backend that attempt is the last, so give_up records the reason — nothing is silently dropped."""
    _sub("line", "U" + "1" * 32)
    from madoguchi.notices.channels import line as line_channel


    def refuse(self, request, x_line_retry_key=None):
        from linebot.v3.messaging.exceptions import ApiException

        raise ApiException(status=429, reason="Too Many Requests")

    monkeypatch.setattr("linebot.v3.messaging.MessagingApi.multicast", refuse)
    notice = services.send_notice(title="t", body="b", topic="bousai", channels=["line"])
    d = Delivery.objects.get(notice=notice)
    assert d.status == "failed" and d.reason.startswith("TransientFailure: 1 件が一時的に送れませんでした: LINE 429")
    assert line_api["recipients"] == [] and line_channel.MULTICAST_MAX == 500
