"""`statuskit notify` through real local servers: SMTP (aiosmtpd) and HTTP receivers on 127.0.0.1.

Every message is read back: which channel got it, for which audience and locale, its threading
headers and its signature. A second run sends nothing; a receiver that fails, drops the
connection or is down for a whole run gets each message exactly once; two runs at once send
each message once. No test reaches beyond the loopback interface.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from aiosmtpd.controller import Controller
from click.testing import CliRunner, Result

from conftest import SiteProject
from statuskit.cli.notify import notify_command
from statuskit.outputs.notifications import SIGNATURE_HEADER, verify

MARKER = "INTERNAL-NOTE-5c1e"
SECRET = "a-test-signing-secret-of-32-chars!"
TITLES = {"en": "Card payments failing", "ko": "카드 결제 실패", "ja": "カード決済の障害"}
MIRRORS = [
    {"id": "com", "locale": "en", "site_url": "https://status.example.com/"},
    {"id": "kr", "locale": "ko", "site_url": "https://status.example.co.kr/"},
    {"id": "jp", "locale": "ja", "site_url": "https://status.example.jp/"},
]
HOSTS = {"en": "status.example.com", "ko": "status.example.co.kr", "ja": "status.example.jp"}

PAYMENTS = f"""
---
title:
  en: {TITLES["en"]}
  ko: {TITLES["ko"]}
  ja: {TITLES["ja"]}
kind: incident
severity: major
components:
  payments: major_outage
started_at: 2026-03-15T08:02:00+09:00
detected_at: 2026-03-15T08:04:00+09:00
responsible: {{name: Kim Minji, role: {{en: CTO, ko: 최고기술책임자, ja: CTO}}}}
internal: Ticket OPS-1234, {MARKER}.
updates:
  - at: 2026-03-15T08:08:00+09:00
    status: investigating
    body:
      en: We are investigating failed card payments.
      ko: 카드 결제 실패를 조사하고 있습니다.
      ja: カード決済の失敗を調査しています。
  - at: 2026-03-15T08:08:00+09:00
    status: identified
    body:
      en: A faulty deploy; rolling back.
      ko: 잘못된 배포를 되돌리고 있습니다.
      ja: 不具合のあるデプロイを戻しています。
    components: {{payments: partial_outage}}
  - at: 2026-03-15T09:30:00+09:00
    status: resolved
    body:
      en: Card payments work again.
      ko: 카드 결제가 정상화되었습니다.
      ja: カード決済は復旧しました。
---
A deploy broke the payment form.
"""

POSTMORTEM = """
---
status: published
published_at: 2026-03-15T11:00:00+09:00
summary:
  en: A faulty deploy broke the payment form for ninety minutes.
  ko: 잘못된 배포로 결제 화면이 90분 동안 동작하지 않았습니다.
  ja: 不具合のあるデプロイにより決済画面が90分間利用できませんでした。
apology:
  text: We are sorry for the failed payments.
---
"""

MAINTENANCE = """
---
title: {en: Website upgrade, ko: 웹사이트 업그레이드, ja: ウェブサイトの更新}
kind: maintenance
components:
  web: under_maintenance
scheduled_for: 2026-03-20T02:00:00+09:00
scheduled_until: 2026-03-20T04:00:00+09:00
updates:
  - at: 2026-03-15T10:00:00+09:00
    status: scheduled
    body: The website pauses for up to 30 minutes.
---
"""

API_MINOR = """
---
title: Slow API responses
kind: incident
severity: minor
components:
  api: degraded_performance
started_at: 2026-03-15T07:00:00+09:00
internal: Only {marker}.
updates:
  - at: 2026-03-15T07:05:00+09:00
    status: investigating
    body: Some API calls take up to ten seconds.
---
"""

OLD = """
---
title: Last year's outage
kind: incident
severity: major
components:
  payments: major_outage
started_at: 2025-03-01T09:00:00+09:00
responsible: {name: Kim Minji, role: CTO}
updates:
  - at: 2025-03-01T09:05:00+09:00
    status: investigating
    body: Long ago.
  - at: 2025-03-01T10:00:00+09:00
    status: resolved
    body: Long resolved.
---
"""


def channel(channel_id: str, kind: str, audience: str, **more: Any) -> dict[str, Any]:
    env = "NOTIFY_" + channel_id.upper().replace("-", "_")
    return {"id": channel_id, "kind": kind, "url_env": env, "audience": audience, **more}


CHANNELS = [
    channel("chat-en", "chat", "customer", locale="en"),
    channel("chat-ops", "chat", "internal"),
    channel("chat-critical", "chat", "partner", severities=["critical"]),
    channel("social-ja", "social", "customer", mirror="jp", events=["incident"]),
    # A post is public whatever the audience: internal notes never go into one.
    channel("social-ops", "social", "internal", events=["incident"]),
    channel("mail-ko", "email", "customer", mirror="kr", unsubscribe="https://example.com/unsub"),
    channel("mail-ops", "email", "internal", locale="en"),
    channel(
        "hook-partner",
        "webhook",
        "partner",
        locale="ja",
        components=["payments"],
        secret_env="NOTIFY_SECRET",
    ),
    channel("hook-ops", "webhook", "internal", secret_env="NOTIFY_SECRET"),
]


def make_site(root: Path, channels: list[dict[str, Any]] = CHANNELS, **notify: Any) -> Path:
    """A project with an incident (three updates, a postmortem), a maintenance, older history."""
    plugin: dict[str, Any] = {
        "timezone": "Asia/Seoul",
        "now": "2026-03-15T12:00:00+09:00",
        "locale": "en",
        "locales": ["en", "ko", "ja"],
        "mirrors": MIRRORS,
        "components": [
            {"id": "payments", "name": {"en": "Payments", "ko": "결제", "ja": "決済"}},
            {"id": "web", "name": {"en": "Website", "ko": "웹사이트", "ja": "ウェブサイト"}},
            {"id": "api", "name": "API"},
        ],
        "policies": {"first_notice_minutes": 0, "levels": {"forgotten": "off"}},
        "notify": {
            "channels": channels,
            "email_from": "Example Status <status@example.com>",
            "documentation": "https://example.com/docs/webhooks",
            **notify,
        },
    }
    config = {
        "site_name": "Example",
        "site_url": "https://status.example.com/",
        "docs_dir": "docs",
        "theme": {"name": "material", "font": False},
        "plugins": [{"statuskit": plugin}],
    }
    (root / "docs").mkdir(exist_ok=True)
    files = {
        "2026/2026-03-15-payments.md": PAYMENTS,
        "2026/2026-03-15-payments.postmortem.md": POSTMORTEM,
        "2026/2026-03-15-website-upgrade.md": MAINTENANCE,
        "2026/2026-03-15-slow-api.md": API_MINOR.replace("{marker}", MARKER),
        "2025/2025-03-01-old.md": OLD,
    }
    for name, text in files.items():
        path = root / "incidents" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    config_file = root / "mkdocs.yml"
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return config_file


# Receivers ----------------------------------------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class HttpReceiver:
    """An HTTP server on 127.0.0.1 that records each POST it accepts.

    `fail` answers the next N requests with 503 and `drop` closes the next N connections
    without an answer; neither counts as received.
    """

    server: ThreadingHTTPServer
    received: list[Received] = field(default_factory=list)
    refused: int = 0
    fail: int = 0
    drop: int = 0
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def on(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]


def _handler(receiver: HttpReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            time.sleep(receiver.delay)
            with receiver.lock:
                if receiver.drop:
                    receiver.drop -= 1
                    receiver.refused += 1
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if receiver.fail:
                    receiver.fail -= 1
                    receiver.refused += 1
                    self.send_response(503)
                    self.end_headers()
                    return
                receiver.received.append(Received(self.path, dict(self.headers.items()), body))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

    return Handler


@pytest.fixture
def http() -> Iterator[HttpReceiver]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    receiver = HttpReceiver(server)
    server.RequestHandlerClass = _handler(receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()


@dataclass
class SmtpReceiver:
    """aiosmtpd on 127.0.0.1; `fail` answers the next N messages with a temporary error."""

    port: int
    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    fail: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.fail:
            self.fail -= 1
            return "451 4.3.0 Try again later"
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpt, m in self.messages if address in rcpt]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    receiver = SmtpReceiver(free_port())
    controller = Controller(receiver, hostname="127.0.0.1", port=receiver.port)
    controller.start()
    yield receiver
    controller.stop()


def environment(http: HttpReceiver, smtp: SmtpReceiver) -> dict[str, str]:
    """Every channel's address pointed at the local receivers, as CI sets GitHub secrets."""
    json_url = http.base.replace("http://", "json://")
    smtp_url = f"smtp://127.0.0.1:{smtp.port}"
    return {
        "NOTIFY_CHAT_EN": f"{json_url}/chat-en",
        "NOTIFY_CHAT_OPS": f"{json_url}/chat-ops",
        "NOTIFY_CHAT_CRITICAL": f"{json_url}/chat-critical",
        "NOTIFY_SOCIAL_JA": f"{json_url}/social-ja",
        "NOTIFY_SOCIAL_OPS": f"{json_url}/social-ops",
        "NOTIFY_MAIL_KO": f"{smtp_url}?to=customers-ko@example.com",
        "NOTIFY_MAIL_OPS": f"{smtp_url}?to=ops@example.com,oncall@example.com",
        "NOTIFY_HOOK_PARTNER": f"{http.base}/hook-partner",
        "NOTIFY_HOOK_OPS": f"{http.base}/hook-ops",
        "NOTIFY_SECRET": SECRET,
        "GITHUB_STEP_SUMMARY": "",
        "GITHUB_ACTIONS": "",
    }


def notify(config: Path, env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(
        notify_command,
        ["-f", str(config), "--backoff", "0", "--retries", "2", "--timeout", "5", *args],
        env=env,
        catch_exceptions=False,
    )


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return make_site(tmp_path)


# Reading messages back -----------------------------------------------------------------------

CUSTOMER_EVENTS = [
    "2026-03-15-slow-api/u1",
    "2026-03-15-payments/u1",
    "2026-03-15-payments/u2",
    "2026-03-15-payments/u3",
    "2026-03-15-website-upgrade/u1",
    "2026-03-15-payments/postmortem",
]


def chat_messages(http: HttpReceiver, channel_id: str) -> list[str]:
    """What Apprise posted to a JSON (chat-style) receiver: its `message` field."""
    return [str(r.json()["message"]) for r in http.on(f"/{channel_id}")]


def webhooks(http: HttpReceiver, channel_id: str) -> list[tuple[Received, dict[str, Any]]]:
    return [(r, r.json()) for r in http.on(f"/{channel_id}")]


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain-text and HTML parts of a multipart/alternative email."""
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None and html is not None
    return str(plain.get_content()), str(html.get_content())


def email_text(message: EmailMessage) -> str:
    plain, html = parts(message)
    return "\n".join([str(message["Subject"]), plain, html])


def ledger_lines(text: str) -> list[dict[str, str]]:
    return [json.loads(line) for line in text.splitlines()]


def ledger_keys(config: Path) -> set[str]:
    text = (config.parent / ".statuskit" / "notify-ledger.jsonl").read_text("utf-8")
    keys = [entry["key"] for entry in ledger_lines(text)]
    assert len(keys) == len(set(keys))
    return set(keys)


@pytest.fixture
def sent(
    config: Path, http: HttpReceiver, smtp: SmtpReceiver
) -> tuple[Path, HttpReceiver, SmtpReceiver, Result]:
    """One full run against every receiver."""
    result = notify(config, environment(http, smtp))
    assert result.exit_code == 0, result.output
    return config, http, smtp, result


# Tests ----------------------------------------------------------------------------------------


def test_dry_run_prints_every_message_and_sends_nothing(
    config: Path, http: HttpReceiver, smtp: SmtpReceiver
) -> None:
    result = notify(config, environment(http, smtp), "--dry-run")
    assert result.exit_code == 0, result.output
    assert http.received == [] and smtp.messages == []
    assert not (config.parent / ".statuskit").exists()
    for key in CUSTOMER_EVENTS:
        assert f"via $NOTIFY_CHAT_EN (set): chat-en:{key}\n" in result.output
    assert "Message-ID: <statuskit.mail-ko.2026-03-15-payments.u2@status.example.co.kr>" in (
        result.output
    )
    assert "would send" in result.output
    assert "Last year" not in result.output  # older than notify.max_age_hours


def test_each_channel_gets_its_events_in_its_locale(
    sent: tuple[Path, HttpReceiver, SmtpReceiver, Result],
) -> None:
    config, http, smtp, _ = sent
    english = chat_messages(http, "chat-en")
    assert len(english) == len(CUSTOMER_EVENTS)
    assert sum(TITLES["en"] in m for m in english) == 4  # three updates and the postmortem
    assert all("https://status.example.com/" in m for m in english)
    assert "Postmortem: Card payments failing" in english[-1]
    # Severities filter incidents only: a partner channel for critical ones gets maintenance.
    critical = chat_messages(http, "chat-critical")
    assert len(critical) == 1 and "Website upgrade" in critical[0]
    # events: [incident]: no maintenance, no postmortem; the Japanese mirror's words and links.
    japanese = chat_messages(http, "social-ja")
    assert len(japanese) == 4
    assert sum(TITLES["ja"] in m for m in japanese) == 3
    assert all("https://status.example.jp/incidents/" in m for m in japanese)
    assert all(len(m) <= 280 for m in japanese)
    korean = smtp.to("customers-ko@example.com")
    assert len(korean) == len(CUSTOMER_EVENTS)
    assert all(m["Content-Language"] == "ko" for m in korean)
    assert sum(TITLES["ko"] in str(m["Subject"]) for m in korean) == 4
    assert all("https://status.example.co.kr/" in email_text(m) for m in korean)
    # Nothing older than max_age_hours (24) went anywhere.
    everything = [r.body.decode() for r in http.received]
    everything += [email_text(m) for _, m in smtp.messages]
    assert not any("Last year" in text or "Long ago" in text for text in everything)
    assert ledger_keys(config) == {
        *(f"chat-en:{k}" for k in CUSTOMER_EVENTS),
        *(f"chat-ops:{k}" for k in CUSTOMER_EVENTS),
        "chat-critical:2026-03-15-website-upgrade/u1",
        *(f"social-ja:{k}" for k in CUSTOMER_EVENTS[:4]),
        *(f"social-ops:{k}" for k in CUSTOMER_EVENTS[:4]),
        *(f"mail-ko:{k}" for k in CUSTOMER_EVENTS),
        *(f"mail-ops:{k}" for k in CUSTOMER_EVENTS),
        *(r.json()["statuskit"]["key"] for r in http.received if "/hook-" in r.path),
    }


def test_a_second_run_sends_nothing(
    sent: tuple[Path, HttpReceiver, SmtpReceiver, Result],
) -> None:
    config, http, smtp, _ = sent
    before = (len(http.received), len(smtp.messages))
    again = notify(config, environment(http, smtp))
    assert again.exit_code == 0, again.output
    assert (len(http.received), len(smtp.messages)) == before
    assert f"sent 0 message(s) on {len(CHANNELS)} channel(s)" in again.output


def test_internal_notes_reach_only_internal_channels(
    sent: tuple[Path, HttpReceiver, SmtpReceiver, Result],
) -> None:
    """On every kind of channel: chat, social, email (both parts), webhook."""
    _, http, smtp, _ = sent
    internal_http = {"/chat-ops", "/hook-ops"}
    for received in http.received:
        text = received.body.decode()
        incident = json.loads(text).get("incident", {}) if "/hook-" in received.path else {}
        about_update = "/hook-" not in received.path or bool(incident)
        if received.path in internal_http and about_update:
            if "Website upgrade" not in text and "website-upgrade" not in text:
                assert MARKER in text, received.path
        else:
            assert MARKER not in text, received.path
    assert len(chat_messages(http, "social-ops")) == 4  # internal, and still nothing internal
    assert len(smtp.to("ops@example.com")) == len(CUSTOMER_EVENTS)
    for recipients, message in smtp.messages:
        plain, html = parts(message)
        if "ops@example.com" in recipients:
            if "Website upgrade" not in str(message["Subject"]):
                assert MARKER in plain and MARKER in html
        else:
            assert MARKER not in plain and MARKER not in html
    internal_hooks = [p for _, p in webhooks(http, "hook-ops") if "incident" in p]
    assert any(p["statuskit"].get("internal") for p in internal_hooks)
    assert all(p["statuskit"]["audience"] == "internal" for _, p in webhooks(http, "hook-ops"))


def test_emails_thread_per_incident_and_carry_list_headers(
    sent: tuple[Path, HttpReceiver, SmtpReceiver, Result],
) -> None:
    _, _, smtp, _ = sent
    korean = smtp.to("customers-ko@example.com")
    payments = [m for m in korean if TITLES["ko"] in str(m["Subject"])]
    ids = [str(m["Message-ID"]) for m in payments]
    assert len(set(ids)) == 4 and all(i.endswith("@status.example.co.kr>") for i in ids)
    first, second, third, postmortem = payments
    assert first["In-Reply-To"] is None and first["References"] is None
    assert second["In-Reply-To"] == ids[0] and second["References"] == ids[0]
    assert third["In-Reply-To"] == ids[1] and third["References"].split() == ids[:2]
    assert postmortem["In-Reply-To"] == ids[2] and postmortem["References"].split() == ids[:3]
    for message in korean:
        assert message["List-Unsubscribe"] == "<https://example.com/unsub>"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["From"] == "Example Status <status@example.com>"
        assert message["To"] == "customers-ko@example.com"
        plain, html = parts(message)
        assert '<html lang="ko">' in html
        assert "https://example.com/unsub" in html
        # The HTML part says what the plain part says (both come from announce/email.j2).
        first_line = plain.strip().split("\n")[0]
        assert first_line in html
    # Signed by the accountable person where one is set, in both parts; maintenance is not.
    signature = "Kim Minji, 최고기술책임자"
    for message in payments:
        plain, html = parts(message)
        assert signature in plain and signature in html
    upgrade = next(m for m in korean if "웹사이트 업그레이드" in str(m["Subject"]))
    assert signature not in parts(upgrade)[0]
    # Several recipients get one message, blind to each other; no unsubscribe set: a reply.
    ops = smtp.to("ops@example.com")
    assert all(m["To"] == "undisclosed-recipients:;" for m in ops)
    assert all("oncall@example.com" in r for r, m in smtp.messages if m in ops)
    assert ops[0]["List-Unsubscribe"] == "<mailto:status@example.com?subject=unsubscribe>"
    assert "List-Unsubscribe-Post" not in ops[0]


def test_webhooks_are_statuspage_payloads_signed_with_hmac(
    sent: tuple[Path, HttpReceiver, SmtpReceiver, Result],
) -> None:
    _, http, _, _ = sent
    received = webhooks(http, "hook-partner")
    assert received
    for request, payload in received:
        assert verify(SECRET, request.body, request.headers[SIGNATURE_HEADER])
        assert not verify(SECRET, request.body + b" ", request.headers[SIGNATURE_HEADER])
        assert not verify("another secret", request.body, request.headers[SIGNATURE_HEADER])
        assert request.headers["Idempotency-Key"] == payload["statuskit"]["key"]
        assert set(payload["meta"]) >= {"unsubscribe", "documentation"}
        assert payload["meta"]["documentation"] == "https://example.com/docs/webhooks"
        assert set(payload["page"]) == {"id", "status_indicator", "status_description"}
        assert payload["statuskit"]["locale"] == "ja"
        assert payload["statuskit"]["audience"] == "partner"
        assert "incident" in payload or {"component_update", "component"} <= set(payload)
    incidents = [p for _, p in received if "incident" in p]
    components = [p for _, p in received if "component_update" in p]
    # Only what touches the components the channel follows (payments): no API, no website.
    assert {p["incident"]["id"] for p in incidents} == {"2026-03-15-payments"}
    # As Statuspage consumers read them: the newest update first is the one announced.
    bodies = [p["incident"]["incident_updates"][0]["body"] for p in incidents[:3]]
    assert bodies == [
        "カード決済の失敗を調査しています。",
        "不具合のあるデプロイを戻しています。",
        "カード決済は復旧しました。",
    ]
    assert [p["incident"]["status"] for p in incidents[:3]] == [
        "investigating",
        "identified",
        "resolved",
    ]
    assert incidents[0]["incident"]["resolved_at"] is None
    assert incidents[2]["incident"]["resolved_at"] is not None
    assert incidents[-1]["incident"]["postmortem_body"].startswith("不具合のあるデプロイ")
    changes = [
        (p["component_update"]["old_status"], p["component_update"]["new_status"])
        for p in components
    ]
    assert changes == [
        ("operational", "major_outage"),
        ("major_outage", "partial_outage"),
        ("partial_outage", "operational"),
    ]
    for payload in components:
        update, component = payload["component_update"], payload["component"]
        assert update["component_id"] == component["id"] == "payments"
        assert component["status"] == update["new_status"]
        assert component["name"] == "決済"


def test_webhook_incident_has_the_api_incident_shape(
    sent: tuple[Path, HttpReceiver, SmtpReceiver, Result], tmp_path: Path
) -> None:
    """The same fields as the incident objects of the site's own api/v2/incidents.json."""
    from statuskit.cli.config import load_settings
    from statuskit.core.site import load_site
    from statuskit.outputs.api import PageInfo, render_api

    config, http, _, _ = sent
    settings = load_settings(config, "mirrors:jp")
    site = load_site(settings)
    page = PageInfo("example", "Example", "https://status.example.jp/", "Asia/Seoul")
    files = render_api(site, "ja", "https://status.example.jp/", page)
    api = json.loads(files["api/v2/incidents.json"])
    published = next(i for i in api["incidents"] if i["id"] == "2026-03-15-payments")
    sent_incidents = [p["incident"] for _, p in webhooks(http, "hook-partner") if "incident" in p]
    for incident in sent_incidents[:3]:
        assert list(incident) == list(published)
    assert sent_incidents[2]["incident_updates"] == published["incident_updates"]


def test_a_failing_receiver_gets_each_message_once(
    config: Path, http: HttpReceiver, smtp: SmtpReceiver
) -> None:
    """503 twice, a dropped connection, an SMTP 451: retried, then each message exactly once."""
    http.fail, http.drop, smtp.fail = 2, 1, 2
    result = notify(config, environment(http, smtp), "--retries", "3")
    assert result.exit_code == 0, result.output
    assert http.refused == 3
    keys = [(r.path, r.headers.get("Idempotency-Key") or r.body) for r in http.received]
    assert len(keys) == len(set(keys))
    ids = [str(m["Message-ID"]) for _, m in smtp.messages]
    assert len(ids) == len(set(ids)) == 2 * len(CUSTOMER_EVENTS)
    assert len(chat_messages(http, "chat-en")) == len(CUSTOMER_EVENTS)
    assert "failed" not in result.output.replace("0 failed", "")


def test_a_receiver_down_for_a_run_gets_everything_next_run_once(
    config: Path, http: HttpReceiver, smtp: SmtpReceiver, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    http.fail = 10_000
    env = environment(http, smtp) | {"GITHUB_ACTIONS": "true"}
    planned = notify(config, env, "--channel", "hook-partner", "--dry-run").output
    expected = planned.count("=== hook-partner ")
    assert expected == 7  # three updates and their component changes, the postmortem
    down = notify(config, env, "--channel", "hook-partner", "--summary", str(summary))
    assert down.exit_code == 0, down.output  # never blocks the deploy
    report = summary.read_text("utf-8")
    assert f"| `hook-partner` | webhook | partner | 0 | 0 | {expected} |" in report
    assert "HTTP 503" in report and "(3 attempt(s))" in report
    assert "::warning title=notify hook-partner::" in down.output
    assert http.refused == 3 * expected  # each tried three times (two retries)
    assert http.received == []
    assert not (config.parent / ".statuskit" / "notify-ledger.jsonl").exists()
    strict = notify(config, env, "--channel", "hook-partner", "--strict")
    assert strict.exit_code == 1
    http.fail = 0
    back = notify(config, env, "--channel", "hook-partner")
    assert back.exit_code == 0, back.output
    keys = [r.headers["Idempotency-Key"] for r in http.received]
    assert len(keys) == len(set(keys)) == expected
    again = notify(config, env, "--channel", "hook-partner")
    assert again.exit_code == 0 and len(http.received) == expected


def test_two_runs_at_once_send_each_message_once(
    config: Path, http: HttpReceiver, smtp: SmtpReceiver
) -> None:
    http.delay = 0.05  # the first run is still sending when the second starts
    env = {**environment(http, smtp), "PATH": "/usr/bin:/bin", "NO_MKDOCS_2_WARNING": "1"}
    command = [
        sys.executable,
        "-m",
        "statuskit.cli.main",
        "notify",
        "-f",
        str(config),
        "--backoff",
        "0",
        "--channel",
        "hook-ops",
        "--channel",
        "chat-en",
    ]
    runs = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120)[0].decode() for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    keys = [(r.path, r.headers.get("Idempotency-Key") or r.body) for r in http.received]
    assert len(keys) == len(set(keys))
    assert len(chat_messages(http, "chat-en")) == len(CUSTOMER_EVENTS)
    # Between them the two runs report each message sent once: one sent it, the other found
    # it in the ledger it read once the first had released the lock.
    sent_lines = [line for o in outputs for line in o.splitlines() if line.startswith("sent ")]
    assert len([line for line in sent_lines if " message(s) on " not in line]) == len(keys)


def test_a_channel_without_its_address_is_skipped_not_fatal(
    config: Path, http: HttpReceiver, smtp: SmtpReceiver
) -> None:
    env = environment(http, smtp)
    del env["NOTIFY_CHAT_EN"]
    env["NOTIFY_SECRET"] = ""
    result = notify(config, env)
    assert result.exit_code == 0, result.output
    assert "channel chat-en skipped: $NOTIFY_CHAT_EN is not set" in result.output
    assert "channel hook-ops skipped: $NOTIFY_SECRET (the signing secret) is not set" in (
        result.output
    )
    assert not http.on("/chat-en") and not http.on("/hook-ops")  # never unsigned
    assert notify(config, env, "--strict").exit_code == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"url_env": "https://hooks.slack.com/services/T0/B0/x"}, "must name an environment"),
        ({"components": ["billing"]}, "follows unknown component(s) billing"),
        ({"severities": ["sev1"]}, "follows unknown severit(ies) sev1"),
        ({"mirror": "de"}, "links to mirror 'de'"),
        ({"mirror": "kr", "locale": "ja"}, "sets locale 'ja' but mirror 'kr' is in 'ko'"),
        ({"locale": "fr"}, "uses locale 'fr', which is not in `locales`"),
        ({"secret_env": "SECRET"}, "`secret_env` signs webhook payloads"),
        ({"id": "Chat EN"}, "must be lowercase letters, digits and '-'"),
    ],
)
def test_channel_configuration_errors_name_the_channel_and_the_fix(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    config = make_site(tmp_path, [{**channel("chat-en", "chat", "customer"), **change}])
    result = CliRunner().invoke(notify_command, ["-f", str(config), "--dry-run"])
    assert result.exit_code == 1
    assert message in result.output
    assert "mkdocs.yml" in result.output


def test_a_damaged_ledger_is_a_clear_error(
    config: Path, http: HttpReceiver, smtp: SmtpReceiver
) -> None:
    ledger = config.parent / ".statuskit" / "notify-ledger.jsonl"
    ledger.parent.mkdir()
    ledger.write_text('{"key": "chat-en:x/u1"}\n{not json\n{"key": "chat-en:x/u2"}\n', "utf-8")
    result = notify(config, environment(http, smtp))
    assert result.exit_code == 1
    assert "notify-ledger.jsonl:2: not a line of a statuskit notification ledger" in (result.output)
    assert http.received == [] and smtp.messages == []


def test_a_line_cut_short_by_a_killed_run_is_dropped(
    config: Path, http: HttpReceiver, smtp: SmtpReceiver
) -> None:
    """A run killed while appending leaves half a line: that message goes once more, no other."""
    env = environment(http, smtp)
    assert notify(config, env, "--channel", "chat-en").exit_code == 0
    ledger = config.parent / ".statuskit" / "notify-ledger.jsonl"
    lines = ledger.read_text("utf-8").splitlines(keepends=True)
    ledger.write_text("".join(lines[:-1]) + lines[-1][:25], "utf-8")
    first = len(http.received)
    result = notify(config, env, "--channel", "chat-en")
    assert result.exit_code == 0, result.output
    assert "the last line was cut short" in result.output
    assert len(http.received) == first + 1
    assert http.received[-1].body == http.received[first - 1].body
    assert ledger_keys(config) == {f"chat-en:{k}" for k in CUSTOMER_EVENTS}
    assert notify(config, env, "--channel", "chat-en").exit_code == 0
    assert len(http.received) == first + 1


# The subscribe section ------------------------------------------------------------------------


def test_subscribe_section_lists_the_sign_ups_the_site_configures(
    project: SiteProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    links = [
        {
            "kind": "email",
            "url": "https://lists.example.com/status",
            "name": {"en": "Status mailing list", "ko": "상태 메일링 리스트"},
        },
        {
            "kind": "chat",
            "url": "https://chat.example.com/invite/status",
            "name": "Example community",
            "description": {"en": "Ask the team during an outage."},
        },
    ]
    project.configure(subscribe=links)
    project.build()
    section = project.page("").select_one("section.sk-subscribe")
    assert section is not None
    anchors = {str(a["href"]): a for a in section.select("a")}
    assert anchors["https://lists.example.com/status"].get_text() == "Status mailing list"
    chat = anchors["https://chat.example.com/invite/status"]
    assert chat.get_text() == "Example community" and not chat.has_attr("lang")
    assert "Ask the team during an outage." in section.get_text()
    # Feeds, calendar, JSON and badges are still listed after the sign-ups.
    for href in ("history.atom", "maintenance.ics", "api/v2/summary.json", "badges/status.svg"):
        assert any(h.endswith(href) for h in anchors), href
    items = [li.get_text(" ", strip=True) for li in section.select("li")]
    assert items[0].startswith("Updates by email") and items[1].startswith("Join the community")
    # In Korean: the Korean name; a name written only in English is marked as English.
    monkeypatch.setenv("STATUSKIT_TARGET", "paths:ko")
    project.build()
    korean = project.page("ko/").select_one("section.sk-subscribe")
    assert korean is not None
    names = {str(a["href"]): a for a in korean.select("a")}
    assert names["https://lists.example.com/status"].get_text() == "상태 메일링 리스트"
    assert names["https://chat.example.com/invite/status"]["lang"] == "en"
    assert "이메일로 업데이트 받기" in korean.get_text()


def test_a_subscribe_link_must_be_an_address(project: SiteProject) -> None:
    from statuskit.cli.config import load_settings

    project.configure(subscribe=[{"url": "lists.example.com", "name": "List"}])
    with pytest.raises(click.ClickException, match="must start with https://"):
        load_settings(project.root / "mkdocs.yml")


# The deploy workflow's notify job ---------------------------------------------------------------


def run_notify_job(work: Path, repository: Path, python_env: Path, secrets: dict[str, str]) -> Any:
    """The `notify` job of deploy.yml as GitHub runs it, its `needs` taken as succeeded."""
    from test_workflows import Runner, workflow

    data = workflow("deploy.yml")
    job = {k: v for k, v in data["jobs"]["notify"].items() if k not in ("needs", "if")}
    runner = Runner(repository, work, python_env, {"event_name": "push", "ref": "refs/heads/main"})
    runner.secrets = secrets
    runner.run({"jobs": {"notify": job}, "env": data.get("env", {})})
    return runner


def _without_mkdocs() -> bool:
    """The ProperDocs-only run of the suite, which leaves the CI files to the main run."""
    try:
        distribution("mkdocs")
    except PackageNotFoundError:
        return True
    return False


@pytest.mark.skipif(_without_mkdocs(), reason="CI files are checked by the MkDocs run (.ci/run)")
def test_deploy_workflow_notifies_once_and_keeps_the_ledger_on_its_branch(
    tmp_path: Path, http: HttpReceiver
) -> None:
    """Two deploys of the demo: the first sends and pushes the ledger, the second sends nothing.

    The job's checkout is a clone of `repository`, its `origin`, as on GitHub.
    """
    import venv

    from test_workflows import copy_working_tree, git

    repository = tmp_path / "repository"
    repository.mkdir()
    copy_working_tree(repository)
    git(repository, "init", "-q", "-b", "main")
    git(repository, "config", "user.email", "ci@example.invalid")
    git(repository, "config", "user.name", "CI")
    git(repository, "config", "commit.gpgsign", "false")
    git(repository, "add", "-A")
    git(repository, "commit", "-q", "-m", "main")
    python_env = tmp_path / "venv"
    venv.create(python_env, system_site_packages=True, with_pip=True, symlinks=True)
    secrets = {
        "NOTIFY_OPS_SLACK": f"{http.base.replace('http://', 'json://')}/ops",
        "NOTIFY_MERCHANT_WEBHOOK": f"{http.base}/merchants",
        "NOTIFY_WEBHOOK_SECRET": SECRET,
    }
    first = run_notify_job(tmp_path / "first", repository, python_env, secrets)
    sent = len(http.received)
    assert http.on("/ops")  # the demo's open incident, to the internal chat
    for request in http.on("/merchants"):  # only what touches payments or the API
        assert verify(SECRET, request.body, request.headers[SIGNATURE_HEADER])
    summary = first.summaries["notify"]
    assert "| `ops` | chat | internal |" in summary
    assert "skipped: $NOTIFY_EMAIL_KO is not set" in summary
    kept = ledger_lines(git(repository, "show", "statuskit-notify:notify-ledger.jsonl"))
    assert len(kept) == sent
    assert {entry["channel"] for entry in kept} == {r.path.strip("/") for r in http.received}

    second = run_notify_job(tmp_path / "second", repository, python_env, secrets)
    assert len(http.received) == sent
    assert "ledger restored from statuskit-notify" in "".join(r.output for r in second.records)
    assert "ledger unchanged" in "".join(r.output for r in second.records)
    assert git(repository, "rev-list", "--count", "statuskit-notify").strip() == "1"
    assert git(repository, "rev-parse", "main") == git(repository, "rev-parse", "HEAD")


def test_the_html_part_of_every_email_is_valid_html(
    sent: tuple[Path, HttpReceiver, SmtpReceiver, Result], tmp_path: Path
) -> None:
    """Korean and English, updates, maintenance and the postmortem: the Nu HTML checker passes."""
    from test_html_quality import run_vnu

    _, _, smtp, _ = sent
    files = []
    for number, (_, message) in enumerate(smtp.messages):
        path = tmp_path / f"email-{number}.html"
        path.write_text(parts(message)[1], "utf-8")
        files.append(path)
    assert len(files) == 2 * len(CUSTOMER_EVENTS)
    assert run_vnu(files) == []


def test_the_next_run_sends_only_what_was_added_threaded_after_it(
    config: Path, http: HttpReceiver, smtp: SmtpReceiver
) -> None:
    """An incident reopened after it was resolved, and a postmortem: only the new update goes."""
    env = environment(http, smtp)
    assert notify(config, env).exit_code == 0
    before_http, before_mail = len(http.received), len(smtp.messages)
    path = config.parent / "incidents" / "2026" / "2026-03-15-payments.md"
    text = path.read_text("utf-8")
    reopened = (
        "  - at: 2026-03-15T11:40:00+09:00\n"
        "    status: investigating\n"
        "    reopened: true\n"
        "    body:\n"
        "      en: Some card payments fail again; we are looking into it.\n"
        "      ko: 일부 카드 결제가 다시 실패하고 있어 확인 중입니다.\n"
        "      ja: 一部のカード決済が再び失敗しています。調査しています。\n"
        "    components: {payments: partial_outage}\n"
    )
    path.write_text(text.replace("---\nA deploy", reopened + "---\nA deploy", 1), "utf-8")
    result = notify(config, env)
    assert result.exit_code == 0, result.output
    new_http = http.received[before_http:]
    new_mail = [m for _, m in smtp.messages[before_mail:]]
    # One message per channel that follows payments incidents, and the component change.
    assert len(chat_messages(http, "chat-en")) == len(CUSTOMER_EVENTS) + 1
    assert "Some card payments fail again" in chat_messages(http, "chat-en")[-1]
    assert {r.path for r in new_http} == {
        "/chat-en",
        "/chat-ops",
        "/social-ja",
        "/social-ops",
        "/hook-partner",
        "/hook-ops",
    }
    hooks = [r.json() for r in new_http if r.path == "/hook-partner"]
    assert [p["statuskit"]["event"] for p in hooks] == ["incident.update", "component.update"]
    assert hooks[0]["incident"]["status"] == "investigating"
    assert hooks[0]["incident"]["resolved_at"] is None
    assert hooks[1]["component_update"]["old_status"] == "operational"
    assert hooks[1]["component_update"]["new_status"] == "partial_outage"
    korean = next(m for m in new_mail if m["Content-Language"] == "ko")
    assert korean["Message-ID"] == "<statuskit.mail-ko.2026-03-15-payments.u4@status.example.co.kr>"
    assert korean["In-Reply-To"] == (
        "<statuskit.mail-ko.2026-03-15-payments.u3@status.example.co.kr>"
    )
    assert "일부 카드 결제가 다시 실패하고" in parts(korean)[0]
    assert len(new_mail) == 2  # the Korean customers and the team


def test_a_long_thread_keeps_its_first_and_latest_references() -> None:
    """An incident with many updates: References stays short, still naming the thread's root."""
    from datetime import datetime

    from statuskit.outputs.notifications import REFERENCES_KEPT, EmailThread, Event

    thread = EmailThread("mail", "2026-03-15-payments", "status.example.com")
    at = datetime(2026, 3, 15, 12, 0)
    event = Event(at, "2026-03-15-payments", 30, "incident", "2026-03-15-payments/u31")
    headers = thread.headers(event)
    references = headers["References"].split()
    assert len(references) == REFERENCES_KEPT
    assert references[0] == thread.message_id("u1")
    assert references[-1] == headers["In-Reply-To"] == thread.message_id("u30")
    assert headers["Message-ID"] == thread.message_id("u31")


def test_email_html_escapes_text_and_links_addresses() -> None:
    from statuskit.outputs.notifications import linkify

    html = str(linkify('Use <b>"this"</b> & see https://status.example.com/incidents/x/.'))
    assert "&lt;b&gt;&#34;this&#34;&lt;/b&gt; &amp; see" in html
    link = "https://status.example.com/incidents/x/"
    assert f'<a href="{link}">{link}</a>.' in html
    assert str(linkify("詳細: https://status.example.jp/a/。")).endswith(
        '/a/">https://status.example.jp/a/</a>。'
    )
