"""`statuskit announce`: every channel, audience and locale, the social limit, and no leaks."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from statuskit.cli.announce import announce_command
from statuskit.outputs.announcements import (
    AUDIENCES,
    CHANNELS,
    ELLIPSIS,
    SOCIAL_LIMIT,
    fit_social,
    plain,
    social_length,
)

LOCALES = ("en", "ko", "ja")
MARKER = "INTERNAL-MARKER-7f3a"
MIRRORS = [
    {"id": "com", "locale": "en", "site_url": "https://status.example.com/"},
    {"id": "kr", "locale": "ko", "site_url": "https://status.example.co.kr/"},
    {"id": "jp", "locale": "ja", "site_url": "https://status.example.jp/"},
]
URLS = {
    "en": "https://status.example.com/incidents/payments/",
    "ko": "https://status.example.co.kr/incidents/payments/",
    "ja": "https://status.example.jp/incidents/payments/",
}
TITLES = {"en": "Card payments failing", "ko": "카드 결제 실패", "ja": "カード決済の障害"}

INCIDENT = f"""
---
title:
  en: {TITLES["en"]}
  ko: {TITLES["ko"]}
  ja: {TITLES["ja"]}
kind: incident
severity: major
components:
  payments: major_outage
regions: [KR]
scope:
  en: Card payments on the website.
  ko: 웹사이트 카드 결제.
  ja: ウェブサイトのカード決済。
workaround:
  en: Pay by **bank transfer**.
  ko: 계좌이체로 결제해 주세요.
  ja: 銀行振込をご利用ください。
started_at: 2026-03-14T09:02:00+09:00
detected_at: 2026-03-14T09:04:00+09:00
responsible: {{name: Kim Minji, role: CTO}}
internal: Ticket OPS-1234, {MARKER}, bridge call open.
updates:
  - at: 2026-03-14T09:08:00+09:00
    status: investigating
    provisional: true
    body:
      en: We are investigating failed card payments.
      ko: 카드 결제 실패를 조사하고 있습니다.
      ja: カード決済の失敗を調査しています。
---
A deploy broke the payment form.
"""

MAINTENANCE = """
---
title: Database upgrade
kind: maintenance
components:
  payments: under_maintenance
scheduled_for: 2026-03-20T02:00:00+09:00
scheduled_until: 2026-03-20T04:00:00+09:00
updates:
  - at: 2026-03-10T10:00:00+09:00
    status: scheduled
    body: Card payments pause for up to 30 minutes.
---
"""


def make_site(root: Path, incidents: dict[str, str], **options: Any) -> Path:
    """A statuskit project in a temporary folder; returns its mkdocs.yml."""
    plugin: dict[str, Any] = {
        "timezone": "UTC",
        "now": "2026-03-15T12:00:00+09:00",
        "locale": "en",
        "locales": list(LOCALES),
        "mirrors": MIRRORS,
        "components": [{"id": "payments", "name": {"en": "Payments", "ko": "결제", "ja": "決済"}}],
        "policies": {"first_notice_minutes": 0},
    }
    plugin.update(options)
    config = {
        "site_name": "Example",
        "site_url": "https://status.example.com/",
        "docs_dir": "docs",
        "theme": {"name": "material", "font": False},
        "plugins": [{"statuskit": plugin}],
    }
    (root / "docs").mkdir(exist_ok=True)
    for name, text in incidents.items():
        path = root / "incidents" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    config_file = root / "mkdocs.yml"
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return config_file


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(tmp_path, {"payments.md": INCIDENT, "db.md": MAINTENANCE})


def run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(announce_command, [*args, "-f", str(config)])


def announce(config: Path, channel: str, audience: str, locale: str, *extra: str) -> str:
    result = run(
        config,
        "payments",
        "--channel",
        channel,
        "--audience",
        audience,
        "--locale",
        locale,
        *extra,
    )
    assert result.exit_code == 0, result.output
    return result.output


def as_json(config: Path, channel: str, audience: str, locale: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        announce(config, channel, audience, locale, "--format", "json")
    )
    return data


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("audience", AUDIENCES)
@pytest.mark.parametrize("channel", CHANNELS)
def test_every_channel_audience_and_locale_renders(
    site: Path, channel: str, audience: str, locale: str
) -> None:
    message = as_json(site, channel, audience, locale)
    assert message["channel"] == channel and message["locale"] == locale
    assert message["url"] == URLS[locale]  # the page on the mirror of the reader's language
    assert URLS[locale] in message["body"] or channel == "status"
    assert TITLES[locale] in (message["subject"] or "") + message["body"]
    assert "<p>" not in message["body"] and "</" not in message["body"]
    assert "None" not in message["body"] and "{" not in message["body"]
    if channel == "email":
        assert message["subject"]
    else:
        assert message["subject"] is None
    if channel == "social":
        assert message["length"] == social_length(message["body"]) <= SOCIAL_LIMIT


def test_times_are_in_the_locale_zone_with_offset(site: Path) -> None:
    english = announce(site, "status", "customer", "en")  # the com mirror shows UTC
    korean = announce(site, "status", "customer", "ko")  # ko is read in Asia/Seoul
    japanese = announce(site, "status", "customer", "ja")
    assert "(UTC+00:00)" in english and "12:08" in english
    assert "(UTC+09:00)" in korean and "9:08" in korean
    assert "(UTC+09:00)" in japanese


def test_ui_strings_come_from_the_catalog(site: Path) -> None:
    assert "Investigating" in announce(site, "chat", "customer", "en")
    assert "조사 중" in announce(site, "chat", "customer", "ko")
    korean_email = announce(site, "email", "customer", "ko")
    assert "임시 해결 방법" in korean_email  # incident.workaround in the ko catalog
    assert "Workaround" not in korean_email


def test_site_catalog_overrides_the_announce_strings(site: Path) -> None:
    (site.parent / "locales").mkdir()
    (site.parent / "locales" / "en.yml").write_text("announce.greeting.customer: Hi there,\n")
    assert announce(site, "email", "customer", "en").split("\n")[2] == "Hi there,"
    assert "Dear partner," in announce(site, "email", "partner", "en")  # local fallback


def test_email_has_subject_and_body(site: Path) -> None:
    text = announce(site, "email", "customer", "en")
    header, _, body = text.partition("\n\n")
    assert header == f"Subject: [Investigating] {TITLES['en']} (Provisional)"
    assert body.startswith("Dear customer,")
    assert "We are investigating failed card payments." in body
    assert "Pay by bank transfer." in body  # markdown emphasis dropped in plain text
    assert f"Details and updates: {URLS['en']}" in body
    assert body.rstrip().endswith("The Example team")
    message = as_json(site, "email", "partner", "ko")
    assert message["subject"] == f"[조사 중] {TITLES['ko']} (잠정)"
    assert message["body"].startswith("파트너 여러분")


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("locale", LOCALES)
def test_internal_notes_reach_only_the_internal_audience(
    site: Path, channel: str, locale: str
) -> None:
    for audience in ("customer", "partner"):
        assert MARKER not in announce(site, channel, audience, locale)
    internal = announce(site, channel, "internal", locale)
    # A social post is public whoever drafts it: notes never go there.
    assert (MARKER in internal) == (channel != "social")


def test_an_overriding_template_cannot_reach_internal_notes(site: Path) -> None:
    folder = site.parent / "announce"
    folder.mkdir()
    (folder / "chat.j2").write_text("leak: {{ incident.internal }} {{ incident.source }}\n")
    assert announce(site, "chat", "customer", "en").strip() == "leak: None None"
    assert announce(site, "chat", "partner", "en").strip() == "leak: None None"
    assert MARKER in announce(site, "chat", "internal", "en")


def test_repository_templates_override_per_locale(site: Path) -> None:
    folder = site.parent / "announce"
    folder.mkdir()
    (folder / "social.ko.j2").write_text("한빛 공지: {{ incident.title }} {{ url }}\n")
    (folder / "status.j2").write_text("{{ update.status_label }}: {{ update.body }}\n")
    assert announce(site, "social", "customer", "ko").strip() == (
        f"한빛 공지: {TITLES['ko']} {URLS['ko']}"
    )
    assert announce(site, "social", "customer", "en").startswith("[Investigating]")
    assert announce(site, "status", "customer", "ja").strip() == (
        "調査中: カード決済の失敗を調査しています。"
    )


def test_an_email_template_must_set_a_subject(site: Path) -> None:
    folder = site.parent / "announce"
    folder.mkdir()
    (folder / "email.j2").write_text("Just a body.\n")
    result = run(site, "payments", "--channel", "email")
    assert result.exit_code == 1
    assert "must set `subject`" in result.output


LONG_EN = " ".join(["Card payments are failing for many customers on every device."] * 12)
LONG_KO = " ".join(["많은 고객의 카드 결제가 모든 기기에서 실패하고 있습니다."] * 12)
LONG_JA = "多くのお客様のカード決済がすべての端末で失敗しています。" * 12


@pytest.mark.parametrize("locale", LOCALES)
def test_social_fits_280_with_the_link_intact(tmp_path: Path, locale: str) -> None:
    long_incident = (
        INCIDENT.replace(f"en: {TITLES['en']}", f"en: {LONG_EN[:180]}")
        .replace(f"ko: {TITLES['ko']}", f"ko: {LONG_KO[:120]}")
        .replace(f"ja: {TITLES['ja']}", f"ja: {LONG_JA[:100]}")
        .replace("en: We are investigating failed card payments.", f"en: {LONG_EN}")
        .replace("ko: 카드 결제 실패를 조사하고 있습니다.", f"ko: {LONG_KO}")
        .replace("ja: カード決済の失敗を調査しています。", f"ja: {LONG_JA}")
    )
    config = make_site(tmp_path, {"payments.md": long_incident})
    for audience in AUDIENCES:
        message = as_json(config, "social", audience, locale)
        body = message["body"]
        assert social_length(body) <= SOCIAL_LIMIT
        assert len(body) <= SOCIAL_LIMIT  # counted literally too
        assert body.endswith(URLS[locale])  # the link is whole, and last
        assert ELLIPSIS in body  # the text was cut, visibly
        assert social_length(body) > SOCIAL_LIMIT - 25  # and not cut more than needed


def test_social_length_counts_wide_characters_and_links() -> None:
    assert social_length("abc") == 3
    assert social_length("한국") == 4  # Hangul, kana and CJK count 2, as on X
    assert social_length("ｶﾅ") == 4
    assert social_length("see https://a.example/x") == 4 + 23  # a short link counts 23
    long_link = "https://status.example.com/incidents/" + "x" * 60 + "/"
    assert social_length(long_link) == len(long_link)  # a long link counts in full
    assert social_length("docs at example.com") == 8 + 23  # a bare domain is a link on X


def test_fit_social_cuts_the_text_never_the_link() -> None:
    link = "https://status.example.com/incidents/a/"
    short = fit_social("All good.", link)
    assert short == f"All good. {link}"  # a missing link is appended
    text = "word " * 100 + f"\n\n{link}"
    fitted = fit_social(text, link)
    assert fitted.endswith(f"{ELLIPSIS}\n\n{link}")
    assert social_length(fitted) <= SOCIAL_LIMIT
    hashtags = "x" * 10 + f" {link} " + "#tag " * 80
    fitted = fit_social(hashtags, link)
    assert link in fitted and social_length(fitted) <= SOCIAL_LIMIT
    with pytest.raises(Exception, match="alone is over"):
        fit_social("text", "https://example.com/" + "x" * 300)


def test_plain_text_of_markdown() -> None:
    assert plain("Pay by **bank transfer** or _card_.") == "Pay by bank transfer or card."
    assert plain("See [the FAQ](https://example.com/faq).") == (
        "See the FAQ (https://example.com/faq)."
    )
    assert plain("Use `retry` on snake_case_names") == "Use retry on snake_case_names"
    assert plain("## Heading\n> quoted") == "Heading\n\nquoted"


def test_maintenance_shows_its_window_and_planned_impact(site: Path) -> None:
    result = run(site, "db", "--channel", "email", "--audience", "customer", "--locale", "en")
    assert result.exit_code == 0, result.output
    assert "Subject: [Scheduled] Database upgrade" in result.output
    assert "Maintenance window: Mar 19, 2026, 5:00" in result.output
    assert "(UTC+00:00) \u2013 Mar 19, 2026, 7:00" in result.output
    assert "Payments (Under maintenance)" in result.output
    assert "apologise" not in result.output  # planned work is announced, not apologised for


def test_unknown_id_is_a_clear_error(site: Path) -> None:
    result = run(site, "paymnts", "--channel", "social")
    assert result.exit_code == 1
    assert "Error: no incident with id 'paymnts'; did you mean payments?" in result.output
    assert "Traceback" not in result.output


def test_unknown_locale_and_channel_are_usage_errors(site: Path) -> None:
    result = run(site, "payments", "--channel", "social", "--locale", "fr")
    assert result.exit_code == 2 and "'fr' is not one of the site's locales" in result.output
    result = run(site, "payments", "--channel", "fax")
    assert result.exit_code == 2 and "'fax' is not one of" in result.output


def test_mirror_option_and_regional_mirror(tmp_path: Path) -> None:
    mirrors = [
        *MIRRORS,
        {
            "id": "au",
            "locale": "en",
            "hreflang": "en-AU",
            "site_url": "https://status.example.com.au/",
            "timezone": "Australia/Sydney",
        },
    ]
    config = make_site(tmp_path, {"payments.md": INCIDENT}, mirrors=mirrors)
    text = announce(config, "status", "customer", "en", "--mirror", "au")
    assert "(UTC+11:00)" in text  # Sydney in March, daylight saving time
    message = json.loads(
        announce(config, "chat", "customer", "en", "--mirror", "au", "--format", "json")
    )
    assert message["url"] == "https://status.example.com.au/incidents/payments/"


def test_without_mirrors_links_to_the_locale_path(tmp_path: Path) -> None:
    config = make_site(tmp_path, {"payments.md": INCIDENT}, mirrors=[])
    assert as_json(config, "chat", "customer", "ko")["url"] == (
        "https://status.example.com/ko/incidents/payments/"
    )
    (tmp_path / "single").mkdir()
    single = make_site(tmp_path / "single", {"db.md": MAINTENANCE}, mirrors=[], locales=["en"])
    result = run(single, "db", "--channel", "chat", "--format", "json")
    assert json.loads(result.output)["url"] == "https://status.example.com/incidents/db/"


def test_default_locale_and_no_site_url(tmp_path: Path) -> None:
    config = make_site(tmp_path, {"db.md": MAINTENANCE}, mirrors=[], locales=["en"])
    result = CliRunner().invoke(announce_command, ["db", "--channel", "chat", "-f", str(config)])
    assert result.exit_code == 0 and "Database upgrade" in result.output
    data = yaml.safe_load(config.read_text("utf-8"))
    del data["site_url"]
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(announce_command, ["db", "--channel", "chat", "-f", str(config)])
    assert result.exit_code == 1 and "set `site_url` in mkdocs.yml" in result.output
