"""The communication practice: promises and cadence, who is affected, the communication lead,
categories, the severity page, third parties, the feedback loop and verified prevention."""

from __future__ import annotations

import logging
import re
import shutil
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import feedparser
import pytest
import yaml
from click.testing import CliRunner
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

from conftest import NOW, SiteProject, core_settings, write_incident
from demo_site import copy_demo
from statuskit.cli.announce import announce_command
from statuskit.cli.main import main
from statuskit.core.model import Category, Text
from statuskit.core.settings import Policies, Settings
from statuskit.core.site import validate

# An open major incident: updates at 10:30 and 11:20 KST, the last promising 12:30; now is 12:00.
OPEN = """
---
title:
  en: Sign-in codes arrive late
  ko: 로그인 인증번호 지연
kind: incident
severity: major
category: external
components:
  web: degraded_performance
started_at: 2026-03-15T10:05:00+09:00
detected_at: 2026-03-15T10:14:00+09:00
expected_resolution: 2026-03-15T15:30:00+09:00
affected:
  customers: some
  regions: [{en: Korea, ko: 한국}]
  plans: [{en: the Business plan, ko: 비즈니스}]
  platforms: [Android]
provider:
  name: {en: Hanmaum Messaging, ko: 한마음메시징}
  status_url: https://status.messaging.example/
responsible:
  name: Lee Seojun
  role: CTO
lead:
  name: {en: Park Jiwoo, ko: 박지우}
  role: {en: Head of Communication, ko: 소통팀장}
updates:
  - at: 2026-03-15T10:30:00+09:00
    status: investigating
    next_update_by: 2026-03-15T11:30:00+09:00
    body: Sign-in codes by text message arrive late.
  - at: 2026-03-15T11:20:00+09:00
    status: identified
    next_update_by: 2026-03-15T12:30:00+09:00
    body: Our messaging provider has an outage; use the voice call option.
---
"""


def problems(folder: Path, text: str, **overrides: Any) -> list[str]:
    write_incident(folder, "a.md", text)
    _, found = validate(core_settings(folder, **overrides), NOW)
    return [f"{p.level}: {p}" for p in found]


def policies(**values: Any) -> Policies:
    return Policies(missing_translation="ignore", **values)


# Promises -----------------------------------------------------------------------------


def test_kept_promises_raise_nothing(tmp_path: Path) -> None:
    assert problems(tmp_path, OPEN) == []


def test_a_missed_open_promise_is_flagged_with_its_line(tmp_path: Path) -> None:
    text = OPEN.replace("next_update_by: 2026-03-15T12:30", "next_update_by: 2026-03-15T11:45")
    found = problems(tmp_path, text)
    line = text.lstrip("\n").splitlines().index("    next_update_by: 2026-03-15T11:45:00+09:00")
    assert found == [
        f"warning: {tmp_path}/a.md:{line + 1}: update 2 promised the next update by "
        "2026-03-15T11:45:00+09:00; it is 15 minutes late; post the promised update now; "
        "the page tells readers it is late"
    ]


def test_a_promise_met_late_stays_on_the_record(tmp_path: Path) -> None:
    text = OPEN.replace("next_update_by: 2026-03-15T11:30", "next_update_by: 2026-03-15T11:00")
    found = problems(tmp_path, text)
    assert len(found) == 1
    assert (
        "update 1 promised the next update by 2026-03-15T11:00:00+09:00; it came 20 minutes"
        in (found[0])
    )
    assert problems(tmp_path, text, policies=policies(levels={"promise_kept": "off"})) == []


def test_a_promise_before_its_own_update_is_an_error(tmp_path: Path) -> None:
    text = OPEN.replace("next_update_by: 2026-03-15T11:30", "next_update_by: 2026-03-15T10:00")
    found = [p for p in problems(tmp_path, text) if p.startswith("error")]
    assert len(found) == 1 and "promises its next update before it was posted" in found[0]


def test_a_passed_expected_resolution_asks_for_a_new_estimate(tmp_path: Path) -> None:
    text = OPEN.replace(
        "expected_resolution: 2026-03-15T15:30", "expected_resolution: 2026-03-15T11:50"
    )
    found = problems(tmp_path, text)
    assert (
        len(found) == 1
        and "the expected resolution (2026-03-15T11:50:00+09:00) has passed" in (found[0])
    )
    early = OPEN.replace(
        "expected_resolution: 2026-03-15T15:30", "expected_resolution: 2026-03-15T09:00"
    )
    assert any("expected_resolution is before started_at" in p for p in problems(tmp_path, early))


# Cadence ------------------------------------------------------------------------------

CADENCE = """
---
title: Payments slow
kind: incident
severity: {severity}
components: {{payments: degraded_performance}}
started_at: {start}
responsible: {{name: Kim, role: CTO}}
updates:
  - at: {last}
    status: identified
    body: Still working on it.
---
"""


@pytest.mark.parametrize(
    ("severity", "open_minutes", "quiet_minutes", "flagged"),
    [
        ("critical", 60, 50, True),  # critical: every 30 minutes
        ("critical", 60, 20, False),
        ("major", 120, 70, True),  # major: every 60 minutes
        ("minor", 300, 200, False),  # minor: every 4 hours
        ("minor", 600, 250, True),
        ("critical", 3 * 1440, 600, False),  # open for days: a daily loop
        ("critical", 3 * 1440, 1500, True),
        ("notice", 3 * 1440, 1500, True),
    ],
)
def test_cadence_is_on_by_default_per_severity(
    tmp_path: Path, severity: str, open_minutes: int, quiet_minutes: int, flagged: bool
) -> None:
    text = CADENCE.format(
        severity=severity,
        start=(NOW - timedelta(minutes=open_minutes)).isoformat(),
        last=(NOW - timedelta(minutes=quiet_minutes)).isoformat(),
    )
    found = problems(tmp_path, text, policies=policies(levels={"forgotten": "off"}))
    stale = [p for p in found if "its last update is" in p]
    assert bool(stale) == flagged, found


def test_cadence_per_severity_is_configurable_and_a_promise_replaces_it(tmp_path: Path) -> None:
    text = CADENCE.format(
        severity="minor",
        start=(NOW - timedelta(minutes=300)).isoformat(),
        last=(NOW - timedelta(minutes=50)).isoformat(),
    )
    fast = policies(update_cadence_minutes={"minor": 30}, first_notice_minutes=None)
    assert any("an update every 30 minutes" in p for p in problems(tmp_path, text, policies=fast))
    soon = (NOW + timedelta(minutes=10)).isoformat()
    promised = text.replace(
        "    status: identified\n", f"    status: identified\n    next_update_by: {soon}\n"
    )
    assert problems(tmp_path, promised, policies=fast) == []
    own = [
        replace(s, update_minutes=20) if s.id == "minor" else s
        for s in Settings(tmp_path, []).severities
    ]
    assert any("an update every 20 minutes" in p for p in problems(tmp_path, text, severities=own))


# People, who is affected, categories ----------------------------------------------------


def test_lead_and_affected_are_required_by_policy(tmp_path: Path) -> None:
    rule = policies(lead_required_for=("major",), affected_required_for=("major",))
    assert problems(tmp_path, OPEN, policies=rule) == []
    bare = re.sub(r"lead:\n(  .*\n)+", "", OPEN)
    bare = re.sub(r"affected:\n(  .*\n)+", "", bare)
    found = problems(tmp_path, bare, policies=rule)
    assert any("a major incident needs a named communication lead" in p for p in found)
    assert any("a major incident should say who is affected" in p for p in found)
    assert problems(tmp_path, bare) == []  # off unless the site asks


def test_all_customers_with_a_narrowing_list_is_an_error(tmp_path: Path) -> None:
    text = OPEN.replace("  customers: some\n", "  customers: all\n")
    found = [p for p in problems(tmp_path, text) if p.startswith("error")]
    assert (
        found
        and "`affected` says all customers but lists regions and plans and platforms" in (found[0])
    )
    wrong = OPEN.replace("  customers: some\n", "  customers: many\n")
    assert any("affected" in p and "many" in p for p in problems(tmp_path, wrong))


def test_categories_come_from_the_site_taxonomy(tmp_path: Path) -> None:
    text = OPEN.replace("category: external", "category: securty")
    found = problems(tmp_path, text)
    assert any("unknown category 'securty'; did you mean 'security'?" in p for p in found)
    own = [Category("weather", Text({"en": "Weather"}))]
    assert (
        problems(tmp_path, OPEN.replace("category: external", "category: weather"), categories=own)
        == []
    )
    assert any("unknown category 'external'" in p for p in problems(tmp_path, OPEN, categories=own))


# Prevention that is verified --------------------------------------------------------------

INCIDENT = """
---
title: Payments failing
kind: incident
severity: minor
components: {payments: major_outage}
started_at: 2026-01-10T09:00:00+09:00
updates:
  - {at: 2026-01-10T09:20:00+09:00, status: investigating, body: Investigating.}
  - {at: 2026-01-10T10:00:00+09:00, status: resolved, body: Fixed.}
---
"""

POSTMORTEM = """
---
status: published
published_at: 2026-01-20T10:00:00+09:00
tags: [deploy]
actions:
  - id: A1
    title: Canary every deploy
    type: prevent
    owner: Platform
    due: 2026-06-30
    status: in_progress
    milestones:
      - {title: Design, due: 2026-02-01, done_at: 2026-01-30}
      - {title: Rollout, due: 2026-03-01}
  - id: A2
    title: Alert on payment errors
    type: detect
    owner: SRE
    due: 2026-02-28
    status: done
    done_at: 2026-02-20
    verification:
      method: A drill on 2026-03-01 injects payment errors; the alert must fire within a minute.
      due: 2026-03-05
  - id: A3
    title: Runbook
    type: process
    owner: SRE
    due: 2026-01-31
    status: done
    done_at: 2026-01-25
---
"""


def postmortem_problems(folder: Path, text: str, **values: Any) -> list[str]:
    write_incident(folder, "a.postmortem.md", text)
    return problems(folder, INCIDENT, policies=policies(**values))


def test_overdue_milestones_are_a_check_a_site_can_turn_on(tmp_path: Path) -> None:
    assert postmortem_problems(tmp_path, POSTMORTEM) == [
        f"warning: {tmp_path}/a.postmortem.md:{_line(POSTMORTEM, 'A2')}: the effect of action A2 "
        "was to be verified by 2026-03-05 and has no outcome; record `outcome:` (effective, "
        "partly_effective, not_effective), `verified_at:` and `result:`"
    ]
    found = postmortem_problems(tmp_path, POSTMORTEM, levels={"milestone_overdue": "warning"})
    line = _line(POSTMORTEM, "{title: Rollout")
    assert any(
        f"a.postmortem.md:{line}: a milestone of action A1 was due 2026-03-01 and is 14 days" in p
        for p in found
    )
    done = POSTMORTEM.replace(
        "{title: Rollout, due: 2026-03-01}",
        "{title: Rollout, due: 2026-03-01, done_at: 2026-03-02}",
    )
    assert not any(
        "a milestone of action" in p
        for p in postmortem_problems(tmp_path, done, levels={"milestone_overdue": "warning"})
    )


def test_every_target_counts_days_in_the_sites_zone_as_validate_does(
    project: SiteProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A milestone due on 1 March is not yet overdue where the site is (UTC-11) but is in a
    mirror's zone (UTC+14): the build must refuse what `statuskit validate` refuses, no more."""
    monkeypatch.chdir(project.root)
    project.configure(
        timezone="Pacific/Pago_Pago",
        now="2026-03-01T12:00:00+00:00",
        locales=["en"],
        mirrors=[
            {"id": "here", "locale": "en", "site_url": "https://status.example.com/"},
            {
                "id": "far",
                "locale": "en",
                "site_url": "https://status.example.org/",
                "timezone": "Pacific/Kiritimati",
            },
        ],
        policies={"levels": {"milestone_overdue": "error"}},
    )
    project.write("a.md", INCIDENT)
    project.write("a.postmortem.md", POSTMORTEM.replace("      due: 2026-03-05\n", ""))
    runner = CliRunner()
    checked = runner.invoke(main, ["validate"])
    assert checked.exit_code == 0, checked.output
    built = runner.invoke(main, ["build", "--mirrors", "--jobs", "1"])
    assert built.exit_code == 0, built.output
    # Each mirror still shows times in its own zone.
    here = (project.site / "here" / "incidents" / "a" / "index.html").read_text("utf-8")
    far = (project.site / "far" / "incidents" / "a" / "index.html").read_text("utf-8")
    match = re.search(r"started_at: (\S+)", INCIDENT)
    assert match is not None
    started = datetime.fromisoformat(match[1])
    for page, zone in ((here, "Pacific/Pago_Pago"), (far, "Pacific/Kiritimati")):
        assert f'datetime="{started.astimezone(ZoneInfo(zone)).isoformat()}"' in page, zone
    # A day later it is overdue everywhere: both refuse it.
    project.configure(
        timezone="Pacific/Pago_Pago",
        now="2026-03-02T12:00:00+00:00",
        locales=["en"],
        policies={"levels": {"milestone_overdue": "error"}},
    )
    refused = runner.invoke(main, ["validate"])
    assert refused.exit_code == 1 and "a milestone of action A1" in refused.output


def test_a_recorded_verification_clears_the_check(tmp_path: Path) -> None:
    verified = POSTMORTEM.replace(
        "      due: 2026-03-05\n",
        "      due: 2026-03-05\n      verified_at: 2026-03-01\n      outcome: effective\n"
        "      result: The alert fired after 40 seconds.\n",
    )
    assert postmortem_problems(tmp_path, verified) == []
    undated = verified.replace("      verified_at: 2026-03-01\n", "")
    assert any(
        "has a verification outcome but no `verified_at`" in p
        for p in postmortem_problems(tmp_path, undated)
    )


def words(text: str) -> str:
    """Text with Babel's narrow no-break spaces (before AM/PM) as plain spaces."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def _line(text: str, needle: str) -> int:
    lines = text.lstrip("\n").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if needle in line)


# Pages ------------------------------------------------------------------------------------

SITE: dict[str, Any] = {
    "locales": ["en", "ko", "ja"],
    "feedback_url": "https://example.com/voc?incident={id}",
}


def test_incident_and_home_pages_show_the_promise_and_the_people(project: SiteProject) -> None:
    project.configure(**SITE)
    project.write("2026/open.md", OPEN)
    project.build(strict=True)
    page = project.page("incidents/open")
    promise = page.select_one("[data-sk-promise]")
    assert promise is not None
    text = words(promise.get_text(" ", strip=True))
    assert "Next update: Mar 15, 2026, 12:30 PM (UTC+09:00)" in text
    assert "Expected resolution: Mar 15, 2026, 3:30 PM (UTC+09:00)" in text
    facts = page.select_one(".sk-facts").get_text(" ", strip=True)
    assert "Some customers are affected: in Korea; on the Business plan; using Android." in facts
    assert "Communication lead Park Jiwoo, Head of Communication" in facts
    provider = page.select_one(".sk-provider")
    assert provider.get_text(" ", strip=True).startswith("Hanmaum Messaging")
    assert provider.a["href"] == "https://status.messaging.example/"
    assert page.select_one(".sk-feedback a")["href"] == "https://example.com/voc?incident=open"
    home = project.page("").select_one('[data-incident="open"] [data-sk-promise]')
    assert home is not None and "12:30 PM" in words(home.get_text())
    ko = project.page("ko/incidents/open") if (project.site / "ko").exists() else None
    if ko is None:  # one locale per build: build the Korean site alone
        project.configure(**SITE, locale="ko")
        project.build(strict=True)
        ko = project.page("incidents/open")
    facts_ko = ko.select_one(".sk-facts").get_text(" ", strip=True)
    assert "일부 고객이 영향을 받습니다(한국 지역, 비즈니스 요금제, Android 이용 고객)." in facts_ko
    assert "박지우, 소통팀장" in facts_ko
    assert "12:30까지 다음 안내를 드립니다" not in facts_ko  # the promise is in its own box


def test_a_late_update_is_said_in_words_and_the_wording_is_configurable(
    project: SiteProject, caplog: pytest.LogCaptureFixture
) -> None:
    late = OPEN.replace("next_update_by: 2026-03-15T12:30", "next_update_by: 2026-03-15T11:45")
    project.write("2026/open.md", late)
    with caplog.at_level(logging.WARNING):
        project.build()
    assert any("it is 15 minutes late" in r.getMessage() for r in caplog.records)
    box = project.page("incidents/open").select_one("[data-sk-promise]")
    assert "Our next update is late: we promised it by Mar 15, 2026, 11:45 AM (UTC+09:00)." in (
        words(box.get_text(" ", strip=True))
    )
    with pytest.raises(Abort):
        project.build(strict=True)
    project.configure(
        late_notice={
            "en": "Sorry, our update due {time} is late.",
            "ko": "{time} 안내가 늦었습니다.",
        },
        policies={"levels": {"promise_kept": "off"}},
    )
    project.build(strict=True)
    box = project.page("incidents/open").select_one("[data-sk-promise]")
    assert words(box.get_text(" ", strip=True)).startswith(
        "Sorry, our update due Mar 15, 2026, 11:45 AM (UTC+09:00) is late."
    )
    # Honest on the page even when the check is off: the page tells the truth, the check nags.
    on_time = OPEN
    project.write("2026/open.md", on_time)
    project.build(strict=True)
    assert "late" not in project.page("incidents/open").select_one("[data-sk-promise]").get_text()


def test_the_cadence_gives_the_next_update_when_none_is_promised(project: SiteProject) -> None:
    no_promise = OPEN.replace("    next_update_by: 2026-03-15T12:30:00+09:00\n", "")
    project.write("2026/open.md", no_promise)
    project.build(strict=True)
    box = words(
        project.page("incidents/open").select_one("[data-sk-promise]").get_text(" ", strip=True)
    )
    assert "Next update: Mar 15, 2026, 12:20 PM (UTC+09:00)" in box
    assert "we update at least every 1 hour while it is open" in box


def test_severity_page_from_the_scale_and_badges_link_to_it(project: SiteProject) -> None:
    project.configure(
        severities=[
            {
                "id": "sev1",
                "name": {"en": "SEV1", "ko": "1등급"},
                "color": "red",
                "impact": "critical",
                "description": "Nobody can pay.",
                "examples": ["All card payments fail."],
                "first_notice_minutes": 30,
                "update_minutes": 20,
            },
            {"id": "sev2", "name": "SEV2", "color": "blue", "impact": "minor"},
        ],
        policies={"responsible_required_for": []},
    )
    project.write("2026/open.md", OPEN.replace("severity: major", "severity: sev1"))
    project.build(strict=True)
    page = project.page("severity")
    level = page.select_one("#severity-sev1").get_text(" ", strip=True)
    for expected in (
        "SEV1",
        "Red",
        "Nobody can pay.",
        "All card payments fail.",
        "30 minutes",
        "20 minutes",
    ):
        assert expected in level
    other = page.select_one("#severity-sev2").get_text(" ", strip=True)
    assert "Blue" in other and "1 hour" in other  # the site-wide first-notice target
    badge = project.page("incidents/open").select_one("a.sk-severity")
    assert badge["href"] == "../../severity/#severity-sev1"


def test_history_is_filtered_by_category_and_the_report_counts_them(project: SiteProject) -> None:
    project.configure(
        categories=[
            {"id": "technical"},
            {"id": "weather", "name": {"en": "Weather", "ko": "기상"}},
        ],
    )
    resolved = OPEN.replace(
        "    body: Our messaging provider has an outage; use the voice call option.\n",
        "    body: Our messaging provider has an outage; use the voice call option.\n"
        "  - {at: 2026-03-15T11:50:00+09:00, status: resolved, body: Fixed.}\n",
    )
    project.write("2026/storm.md", resolved.replace("category: external", "category: weather"))
    project.write(
        "2026/bug.md",
        resolved.replace("category: external", "category: technical").replace(
            "Sign-in codes arrive late", "A bug"
        ),
    )
    project.build(strict=True)
    history = project.page("history")
    links = {a.get_text(strip=True): a["href"] for a in history.select(".sk-categories a")}
    assert links == {"Weather (1)": "category/weather/", "Technical (1)": "category/technical/"}
    weather = project.page("history/category/weather")
    assert [i["data-incident"] for i in weather.select("[data-incident]")] == ["storm"]
    assert weather.select_one('.sk-categories [aria-current="page"]').get_text() == "Weather (1)"
    assert "Weather: 1" in project.page("reliability").get_text(" ", strip=True)
    cause = project.page("incidents/storm").select_one(".sk-facts a[href*='category']")
    assert cause.get_text() == "Weather"


def test_prevention_pages_track_milestones_verification_and_targets(project: SiteProject) -> None:
    project.configure(
        now="2026-03-15T12:00:00+09:00",
        recurrence_targets=[
            {"tag": "deploy", "max": 0, "quarters": 2, "description": "No deploy incident."},
            {"tag": "power", "max": 0, "quarters": 2},
        ],
        **SITE,
    )
    project.write("2026/a.md", INCIDENT)
    project.write(
        "2026/a.postmortem.md", POSTMORTEM.replace("status: published", "status: published", 1)
    )
    project.build()
    postmortem = project.page("postmortems/a")
    rollout = next(
        li for li in postmortem.select(".sk-milestones li") if "Rollout" in li.get_text()
    )
    assert " ".join(rollout.get_text().split()).startswith("Overdue: Rollout")
    verification = postmortem.select_one('[data-action="A2"] .sk-verification').get_text(
        " ", strip=True
    )
    assert "How we verify it: A drill on 2026-03-01" in verification
    assert "Verification overdue" in verification
    # 2 of 3 committed actions are done: a whole percent, not "66.67%".
    assert "Completed: 67% of committed actions" in postmortem.get_text(" ", strip=True)
    assert postmortem.select_one(".sk-feedback a")["href"] == "https://example.com/voc?incident=a"
    review = project.page("prevention").select_one(".sk-review")
    rows = {
        r.th.get_text(): [td.get_text() for td in r.select("td")] for r in review.select("tbody tr")
    }
    assert rows == {"2026-Q2": ["1", "0", "0", "1", "0"], "2026-Q1": ["2", "2", "0", "0", "0"]}
    targets = project.page("reliability").select_one(".sk-targets")
    deploy = targets.select_one('[data-tag="deploy"]').get_text(" ", strip=True)
    assert "At most 0 in 2 quarters" in deploy and "1 in the last 2 quarters" in deploy
    assert "Missed" in deploy
    assert "Met" in targets.select_one('[data-tag="power"]').get_text(" ", strip=True)


# Feeds and announcements --------------------------------------------------------------------


def test_feed_entries_carry_the_promise_of_their_update(project: SiteProject) -> None:
    project.write("2026/open.md", OPEN)
    project.build(strict=True)
    feed = feedparser.parse((project.site / "feeds" / "incidents" / "open.atom").read_bytes())
    newest, older = (words(e.content[0].value) for e in feed.entries[:2])
    assert "Next update by Mar 15, 2026, 12:30 PM (UTC+09:00)" in newest
    assert "Expected to be resolved by Mar 15, 2026, 3:30 PM (UTC+09:00)" in newest
    assert "Next update by Mar 15, 2026, 11:30 AM (UTC+09:00)" in older
    assert "Expected to be resolved" not in older


def announce(project: SiteProject, channel: str, locale: str = "en") -> str:
    result = CliRunner().invoke(
        announce_command,
        ["open", "--channel", channel, "--locale", locale, "-f", str(project.root / "mkdocs.yml")],
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_announcements_carry_promise_people_provider_and_feedback(project: SiteProject) -> None:
    project.configure(name_provider={"social": False}, **SITE)
    project.write("2026/open.md", OPEN)
    email = words(announce(project, "email"))
    assert "Next update by Mar 15, 2026, 12:30 PM (UTC+09:00)" in email
    assert "Expected to be resolved by Mar 15, 2026, 3:30 PM (UTC+09:00)" in email
    assert "Some customers are affected: in Korea; on the Business plan; using Android." in email
    assert "Third party: Hanmaum Messaging" in email
    assert "Tell us how this affected you: https://example.com/voc?incident=open" in email
    # Signed by the communication lead, not the accountable person.
    assert email.rstrip().splitlines()[-2] == "Park Jiwoo, Head of Communication"
    social = announce(project, "social")
    assert "One of our providers" in social and "Hanmaum" not in social
    assert "Next update by" in social
    ko = announce(project, "status", "ko")
    assert "한마음메시징" in ko and "다음 안내를 드립니다" in ko


def test_provider_channels_and_feedback_url_are_checked(tmp_path: Path) -> None:
    for options, message in (
        (
            {"name_provider": {"fax": False}},
            "unknown channel(s) fax under `name_provider`; the channels are page, status, email",
        ),
        ({"feedback_url": "javascript:alert(1)"}, "feedback_url 'javascript:alert(1)' must start"),
        ({"categories": [{"id": "storm"}]}, "category 'storm' needs a `name`"),
        ({"categories": [{"id": "Big Storm", "name": "x"}]}, "category id 'Big Storm' is part of"),
    ):
        project = SiteProject(tmp_path)
        (tmp_path / "docs").mkdir(exist_ok=True)
        project.configure(**options)
        config = str(project.root / "mkdocs.yml")
        result = CliRunner().invoke(main, ["validate", "-f", config])
        assert result.exit_code != 0
        assert message in result.output


# The demo -------------------------------------------------------------------------------------


def test_demo_builds_strict_on_any_date_and_shows_an_open_promise(tmp_path: Path) -> None:
    config_file = copy_demo(tmp_path / "demo")
    data = yaml.safe_load(config_file.read_text("utf-8"))
    options = next(
        p["statuskit"] for p in data["plugins"] if isinstance(p, dict) and "statuskit" in p
    )
    assert options.get("now"), "the demo fixes its build time so it builds on any date"
    config = load_config(str(config_file), strict=True, site_dir=str(tmp_path / "site"))
    config.plugins.on_startup(command="build", dirty=False)
    try:
        from mkdocs.commands.build import build

        build(config)
    finally:
        config.plugins.on_shutdown()
    from bs4 import BeautifulSoup

    home = BeautifulSoup((tmp_path / "site" / "index.html").read_text("utf-8"), "html.parser")
    promises = home.select(".sk-incident [data-sk-promise]")
    assert promises, "the demo home page shows an open incident with its next update"
    assert "Next update" in promises[0].get_text()
    assert (tmp_path / "site" / "severity" / "index.html").exists()
    shutil.rmtree(tmp_path / "site")


def test_new_takes_a_category_of_the_site_taxonomy(project: SiteProject) -> None:
    project.configure(categories=[{"id": "weather", "name": "Weather"}])
    config = str(project.root / "mkdocs.yml")
    ok = CliRunner().invoke(
        main, ["new", "Storm damage", "--category", "weather", "--severity", "minor", "-f", config]
    )
    assert ok.exit_code == 0, ok.output
    written = project.root / ok.output.strip()
    assert "category: weather" in written.read_text("utf-8")
    bad = CliRunner().invoke(main, ["new", "Other", "--category", "technical", "-f", config])
    assert bad.exit_code != 0
    assert "unknown category 'technical'; use one of: weather" in bad.output


def test_a_file_without_category_is_fine_with_any_taxonomy(tmp_path: Path) -> None:
    own = [Category("weather", Text({"en": "Weather"}))]
    unset = OPEN.replace("category: external\n", "")
    assert problems(tmp_path, unset, categories=own) == []


def test_update_command_writes_the_promise(project: SiteProject) -> None:
    project.write("2026/open.md", OPEN)
    config = str(project.root / "mkdocs.yml")
    args = ["update", "open", "-s", "monitoring", "-m", "Codes arrive again.", "-f", config]
    at = ["--at", "2026-03-15T11:55:00+09:00"]
    result = CliRunner().invoke(main, [*args, *at, "--next", "45m"])
    assert result.exit_code == 0, result.output
    text = (project.incidents / "2026" / "open.md").read_text("utf-8")
    assert text.rstrip().endswith(
        "    status: monitoring\n    next_update_by: 2026-03-15T12:40:00+09:00\n"
        "    body: Codes arrive again.\n---"
    )
    _, found = validate(core_settings(project.incidents), NOW)
    assert not [p for p in found if p.is_error]
    late = CliRunner().invoke(
        main, [*args, "--at", "2026-03-15T11:58:00+09:00", "--next", "2026-03-15T11:00:00+09:00"]
    )
    assert late.exit_code != 0 and "is not after the update" in late.output


def test_the_eta_shows_without_any_promise_of_an_update(project: SiteProject) -> None:
    project.configure(policies={"levels": {"stale_update": "off"}})
    bare = OPEN.replace("    next_update_by: 2026-03-15T12:30:00+09:00\n", "")
    project.write("2026/open.md", bare)
    project.build(strict=True)
    box = words(
        project.page("incidents/open").select_one("[data-sk-promise]").get_text(" ", strip=True)
    )
    assert box == "Expected resolution: Mar 15, 2026, 3:30 PM (UTC+09:00)"


def test_a_provider_status_page_must_be_a_web_address(tmp_path: Path) -> None:
    bad = OPEN.replace("https://status.messaging.example/", "javascript:alert(1)")
    found = [p for p in problems(tmp_path, bad) if p.startswith("error")]
    assert found and "provider" in found[0] and "status_url" in found[0]
    line = _line(OPEN, "status_url:")
    assert f"a.md:{line}:" in found[0]


def test_stats_prints_each_recurrence_target(project: SiteProject) -> None:
    project.configure(recurrence_targets=[{"tag": "deploy", "max": 0, "quarters": 2}])
    project.write("2026/a.md", INCIDENT)
    project.write("2026/a.postmortem.md", POSTMORTEM)
    result = CliRunner().invoke(main, ["stats", "-f", str(project.root / "mkdocs.yml")])
    assert result.exit_code == 0, result.output
    assert "deploy: At most 0 in 2 quarters · 1 in the last 2 quarters · Missed" in result.output
