"""Postmortems, prevention plans, compensation and the reliability report, built for real."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from conftest import RESOLVED_INCIDENT, SiteProject, core_settings
from statuskit.core.compensation import CompensationPolicy, Tier, policy_from_options
from statuskit.core.model import Text
from statuskit.core.reliability import Durations, build_report, quarter_of
from statuskit.core.settings import Policies, Settings
from statuskit.core.site import load_site, validate

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=ZoneInfo("Asia/Seoul"))

POLICY = {
    "description": "We credit customers when an outage keeps them from paying.",
    "eligible": "Merchants on a paid plan at the time of the incident.",
    "exclusions": "Outages caused by a merchant's own systems.",
    "claim": "Credits are applied automatically to the next invoice.",
    "tiers": [
        {
            "id": "t1",
            "name": "Tier 1",
            "severities": ["major", "critical"],
            "min_minutes": 5,
            "credit_percent": 5,
        },
        {
            "id": "t2",
            "name": "Tier 2",
            "severities": ["critical"],
            "min_minutes": 60,
            "credit_percent": 20,
        },
        {"id": "goodwill", "name": "Goodwill", "min_minutes": 0, "benefit": "A coupon"},
    ],
}

POSTMORTEM = """
---
status: published
published_at: 2026-03-15T10:00:00+09:00
summary: A faulty deploy broke the payment form for ten minutes.
impact:
  customers: About 1,200 card payments failed.
  figures:
    - {label: Failed payments, value: "1,214"}
root_causes:
  technical: The new form sent amounts as text.
  operational: The deploy skipped the canary stage.
tags: [deploy]
trigger: A web deploy at 09:00.
detection: Error-rate alert.
resolution: Rolled back.
went_well: [Rollback took two minutes.]
went_badly: [The canary stage was skipped.]
lessons: [Never skip the canary.]
timeline:
  - {at: 2026-03-14T09:00:00+09:00, event: Deploy starts.}
apology:
  text: We are sorry for the failed payments.
actions:
  - id: A1
    title: Block deploys that skip the canary
    type: prevent
    owner: Platform team
    due: 2026-03-01
    status: in_progress
    target: No deploy without canary for two quarters.
    milestones:
      - {title: Design, due: 2026-02-20, done_at: 2026-02-19}
      - {title: Rollout, due: 2026-03-01}
  - id: A2
    title: Alert on payment form errors within one minute
    type: detect
    owner: SRE
    due: 2026-04-30
    status: done
    done_at: 2026-03-10
  - id: A3
    title: Rewrite the form
    type: mitigate
    status: dropped
    reason: The form is replaced next quarter.
compensation:
  payout: {status: paid, date: 2026-03-20, customers: 412}
---
At 09:00 a deploy changed how the payment form sent amounts.
"""


def site_with_postmortem(project: SiteProject, postmortem: str = POSTMORTEM) -> None:
    project.configure(compensation=POLICY)
    project.write("2026/2026-03-14-payments.md", RESOLVED_INCIDENT)
    project.write("2026/2026-03-14-payments.postmortem.md", postmortem)


def test_postmortem_page_shows_causes_actions_compensation(project: SiteProject) -> None:
    site_with_postmortem(project)
    project.build(strict=True)
    page = project.page("postmortems/2026-03-14-payments")
    text = page.get_text(" ", strip=True)
    for expected in (
        "The new form sent amounts as text.",
        "The deploy skipped the canary stage.",
        "Never skip the canary.",
        "1,214",
        "We are sorry for the failed payments.",
        "Kim Minji, CTO",  # the incident's responsible person signs
    ):
        assert expected in text, expected
    rows = {r["data-action"]: r for r in page.select("tr.sk-action")}
    assert set(rows) == {"A1", "A2", "A3"}
    # Due 2026-03-01, open at the build date 2026-03-15: overdue, said in words.
    assert "sk-action--overdue" in rows["A1"]["class"]
    assert "Overdue" in rows["A1"].get_text()
    assert "1/2" in rows["A1"].get_text()
    assert "Overdue" not in rows["A2"].get_text()
    assert "The form is replaced next quarter." in rows["A3"].get_text()
    # 10 minutes, major: tier 1 (5%) applies; tier 2 needs critical.
    compensation = page.select_one(".sk-compensation").get_text(" ", strip=True)
    assert "5% service credit" in compensation and "Tier 1" in compensation
    assert "Paid" in compensation and "Recipients: 412" in compensation
    timeline = [t["datetime"] for t in page.select(".sk-timeline time")]
    assert timeline == sorted(timeline) and timeline[0] == "2026-03-14T09:00:00+09:00"
    incident = project.page("incidents/2026-03-14-payments")
    link = incident.select_one(".sk-postmortem-link a")["href"]
    assert link.endswith("postmortems/2026-03-14-payments/")
    assert incident.select_one(".sk-compensation") is not None
    history = project.page("history")
    assert history.select_one(".sk-incident__postmortem a") is not None


def test_draft_postmortem_is_never_published(project: SiteProject) -> None:
    site_with_postmortem(project, POSTMORTEM.replace("status: published", "status: draft"))
    project.build(strict=True)
    assert not (project.site / "postmortems").exists()
    incident = project.page("incidents/2026-03-14-payments")
    assert incident.select_one(".sk-postmortem-link") is None
    everything = "".join(
        p.read_text("utf-8", errors="ignore") for p in project.site.rglob("*") if p.is_file()
    )
    assert "The new form sent amounts as text." not in everything
    assert "A1" not in project.page("prevention").get_text()


def test_prevention_page_lists_open_actions_with_overdue_count(project: SiteProject) -> None:
    site_with_postmortem(project)
    project.build(strict=True)
    page = project.page("prevention")
    rows = page.select("tr.sk-action")
    assert [r["data-action"] for r in rows] == ["A1"]  # A2 done, A3 dropped
    text = page.get_text(" ", strip=True)
    assert "Overdue: 1" in text and "Open actions: 1" in text
    # Done 1 of 2 committed (the dropped one no longer counts).
    assert "50%" in text and "50.00%" not in text
    assert "Due in 2026-Q1" in text


def test_policy_page_lists_tiers(project: SiteProject) -> None:
    site_with_postmortem(project)
    project.build(strict=True)
    page = project.page("compensation")
    rows = [r.get_text(" ", strip=True) for r in page.select(".sk-tiers tbody tr")]
    assert len(rows) == 3
    assert "Critical" in rows[1] and "1 hour" in rows[1] and "20% service credit" in rows[1]
    assert "Credits are applied automatically" in page.get_text()


def test_reliability_page_figures(project: SiteProject) -> None:
    site_with_postmortem(project)
    project.build(strict=True)
    page = project.page("reliability")
    text = page.get_text(" ", strip=True)
    assert "2026-Q1" in text
    svg = page.select_one(".sk-chart svg")
    assert svg["role"] == "img" and "2026-Q1: 1" in svg.select_one("desc").get_text()
    # Detected 2 min after start, first notice 4 min after detection, resolved in 10 min.
    rows = {r.th.get_text(): r.get_text(" ", strip=True) for r in page.select("tbody tr") if r.th}
    assert "2 minutes" in rows["Time to detect"]
    assert "4 minutes" in rows["Time to first public notice"]
    assert "10 minutes" in rows["Time to resolve"]


# Core figures on hand-checked cases -------------------------------------------------------


def test_tier_choice_by_severity_and_duration() -> None:
    policy = policy_from_options(POLICY, "en")
    assert policy.tier_for("major", timedelta(minutes=4)).id == "goodwill"  # type: ignore[union-attr]
    assert policy.tier_for("major", timedelta(minutes=90)).id == "t1"  # type: ignore[union-attr]
    assert policy.tier_for("critical", timedelta(minutes=90)).id == "t2"  # type: ignore[union-attr]
    assert policy.tier_for("critical", timedelta(minutes=30)).id == "t1"  # type: ignore[union-attr]
    empty = CompensationPolicy([Tier("x", Text({"en": "X"}), ("critical",), 60, 10, None)])
    assert empty.tier_for("minor", timedelta(hours=5)) is None


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"tiers": [{"id": "a"}]}, "needs at least `id` and `name`"),
        ({"tiers": [{"id": "a", "name": "A"}]}, "needs `credit_percent` or `benefit`"),
        ({"tier": []}, "unknown key(s) tier"),
        ({"tiers": [{"id": "a", "name": "A", "credit_percent": "lots"}]}, "are numbers"),
    ],
)
def test_bad_policy_is_a_clear_error(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        policy_from_options(options, "en")


def test_durations_median_and_worst() -> None:
    figures = Durations.of([timedelta(minutes=m) for m in (10, 30, 20, 90)])
    assert figures.median == timedelta(minutes=25)
    assert figures.worst == timedelta(minutes=90)
    assert Durations.of([]).median is None
    assert quarter_of(date(2026, 3, 31)) == "2026-Q1" and quarter_of(date(2026, 4, 1)) == "2026-Q2"


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text.lstrip(), encoding="utf-8")


def pm_settings(folder: Path, **policies: Any) -> Settings:
    return core_settings(
        folder,
        policies=Policies(missing_translation="ignore", **policies),
        compensation=policy_from_options(POLICY, "en"),
    )


def test_uptime_windows_on_a_hand_checked_case(tmp_path: Path) -> None:
    write(tmp_path, "a.md", RESOLVED_INCIDENT)  # payments major outage for 10 minutes
    site = load_site(pm_settings(tmp_path), NOW)
    report = build_report(site.state, site.settings)
    expected = {d: 100 * (1 - 10 / (d * 1440)) for d in (30, 90, 365)}
    for days, value in expected.items():
        assert report.uptime["payments"][days] == pytest.approx(value)
    assert report.uptime["api"][90] == 100.0


def problems_of(tmp_path: Path, postmortem: str | None, **policies: object) -> list[str]:
    write(tmp_path, "a.md", RESOLVED_INCIDENT)
    if postmortem is not None:
        write(tmp_path, "a.postmortem.md", postmortem)
    _, problems = validate(pm_settings(tmp_path, **policies), NOW)
    return [f"{p.level}: {p}" for p in problems]


def test_clean_postmortem_has_no_problems(tmp_path: Path) -> None:
    assert problems_of(tmp_path, POSTMORTEM) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("    owner: SRE\n", ""), "a.postmortem.md:34: action A2 has no owner"),
        (("    due: 2026-04-30\n", ""), "action A2 has no due"),
        (
            ("    reason: The form is replaced next quarter.\n", ""),
            "A3 is dropped without a reason",
        ),
        (("    done_at: 2026-03-10\n", ""), "action A2 is done but has no `done_at`"),
        (("published_at: 2026-03-15T10:00:00+09:00\n", ""), "needs `published_at`"),
        (("compensation:\n", "compensation:\n  tier: gold\n"), "unknown compensation tier 'gold'"),
        (("due: 2026-04-30", "due: 2026-04-31"), "'2026-04-31' is not a valid date"),
    ],
)
def test_postmortem_problems_fire(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    old, new = change
    assert old in POSTMORTEM
    found = problems_of(tmp_path, POSTMORTEM.replace(old, new, 1))
    assert any(expected in p for p in found), found


def test_policy_apology_signed_by_no_one(tmp_path: Path) -> None:
    unsigned = RESOLVED_INCIDENT.replace("responsible:\n  name: Kim Minji\n", "x-:\n  name: K\n")
    write(
        tmp_path,
        "a.md",
        unsigned.replace("x-:\n  name: K\n  role: {en: CTO, ko: 최고기술책임자}\n", ""),
    )
    write(tmp_path, "a.postmortem.md", POSTMORTEM)
    _, problems = validate(pm_settings(tmp_path, responsible_required_for=()), NOW)
    assert [p.message for p in problems] == ["the apology is signed by no named person"]
    _, off = validate(
        pm_settings(tmp_path, responsible_required_for=(), levels={"apology_signed": "off"}),
        NOW,
    )
    assert off == []


def test_policy_compensation_without_basis(tmp_path: Path) -> None:
    no_basis = POSTMORTEM.replace("compensation:\n", "compensation:\n  eligible: Everyone.\n")
    write(tmp_path, "a.md", RESOLVED_INCIDENT.replace("severity: major", "severity: minor"))
    write(
        tmp_path,
        "a.postmortem.md",
        no_basis.replace("  payout: {status: paid, date: 2026-03-20, customers: 412}\n", ""),
    )
    settings = pm_settings(tmp_path)
    settings.compensation = CompensationPolicy(
        [Tier("t", Text({"en": "T"}), ("critical",), 0, 5, None)]
    )
    _, problems = validate(settings, NOW)
    assert [p.message for p in problems] == [
        "compensation is promised without a policy tier or an explicit offer"
    ]
    settings.policies = Policies(
        missing_translation="ignore", levels={"compensation_basis": "error"}
    )
    _, problems = validate(settings, NOW)
    assert [p.level for p in problems] == ["error"]


def test_policy_postmortem_due(tmp_path: Path) -> None:
    later = NOW + timedelta(days=20)
    write(tmp_path, "a.md", RESOLVED_INCIDENT)
    _, problems = validate(pm_settings(tmp_path), later)
    assert any("has no published postmortem" in p.message for p in problems)
    _, soon = validate(pm_settings(tmp_path), NOW)
    assert not any("postmortem" in p.message for p in soon)
    write(tmp_path, "a.postmortem.md", POSTMORTEM.replace("status: published", "status: draft"))
    _, draft = validate(pm_settings(tmp_path), later)
    assert any("has no published postmortem" in p.message for p in draft)
    write(tmp_path, "a.postmortem.md", POSTMORTEM)
    _, published = validate(pm_settings(tmp_path), later)
    assert not any("has no published postmortem" in p.message for p in published)


def test_orphan_postmortem_is_a_warning_naming_the_file(tmp_path: Path) -> None:
    write(tmp_path, "b.postmortem.md", POSTMORTEM)
    _, problems = validate(pm_settings(tmp_path), NOW)
    assert [(p.level, p.message) for p in problems] == [
        ("warning", "no incident file b.md beside this postmortem, so it is not published")
    ]
    assert problems[0].path.endswith("b.postmortem.md")


def test_stats_command_prints_the_reliability_figures(
    project: SiteProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from statuskit.cli.main import main

    site_with_postmortem(project)
    monkeypatch.chdir(project.root)
    result = CliRunner().invoke(main, ["stats"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "2026-Q1: Incidents: 1" in out
    assert "Time to resolve: Median 10 minutes, Worst 10 minutes (n=1)" in out
    assert "Open actions: 1 · Overdue: 1 · Completed: 50% of committed actions" in out
    assert "Overdue: 2026-03-14-payments A1 Block deploys that skip the canary" in out
    korean = CliRunner().invoke(main, ["stats", "--locale", "ko"])
    assert "안정성 보고서" in korean.output


def test_published_postmortem_appears_in_feeds(project: SiteProject) -> None:
    import feedparser

    site_with_postmortem(project)
    project.build()
    for path in ("history.atom", "feeds/incidents/2026-03-14-payments.rss"):
        feed = feedparser.parse((project.site / path).read_bytes())
        assert not feed.bozo
        newest = feed.entries[0]
        assert newest.title == "Postmortem: Payments failing after a deploy"
        assert newest.link.endswith("/postmortems/2026-03-14-payments/")
        assert "ten minutes" in newest.summary
    draft = POSTMORTEM.replace("status: published", "status: draft")
    site_with_postmortem(project, draft)
    project.build()
    feed = feedparser.parse((project.site / "history.atom").read_bytes())
    assert all("Postmortem" not in e.title for e in feed.entries)


def test_postmortem_translations_are_checked(tmp_path: Path) -> None:
    write(tmp_path, "a.md", RESOLVED_INCIDENT)
    write(
        tmp_path,
        "a.postmortem.md",
        POSTMORTEM.replace(
            "trigger: A web deploy at 09:00.", "trigger: {en: A deploy., fr: Un déploiement.}"
        ),
    )
    settings = core_settings(
        tmp_path,
        policies=Policies(missing_translation="warning"),
        compensation=policy_from_options(POLICY, "en"),
    )
    _, problems = validate(settings, NOW)
    mine = [p for p in problems if p.path.endswith("a.postmortem.md")]
    assert [(p.level, p.message) for p in mine if p.is_error] == [("error", "unknown locale 'fr'")]
    (lagging,) = [p for p in mine if p.code == "translation"]
    assert lagging.level == "warning" and lagging.line == 2
    assert lagging.message.startswith("no ko translation of actions[0].target, actions[0].title")


def test_overlapping_incidents_count_their_downtime_once(tmp_path: Path) -> None:
    # Two incidents take payments down 09:02-09:12 and 09:07-09:17: 15 minutes, not 20.
    write(tmp_path, "a.md", RESOLVED_INCIDENT)
    write(
        tmp_path,
        "b.md",
        RESOLVED_INCIDENT.replace("09:02:00", "09:07:00")
        .replace("09:08:00", "09:13:00")
        .replace("09:12:00", "09:17:00")
        .replace("09:04:00", "09:09:00"),
    )
    site = load_site(core_settings(tmp_path), NOW)
    (day,) = [d for d in site.state.uptime_days["payments"] if d.incidents]
    assert day.downtime_minutes == pytest.approx(15.0)
    assert sorted(day.incidents) == ["a", "b"]
