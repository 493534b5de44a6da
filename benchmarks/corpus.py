"""A deterministic synthetic statuskit project: mkdocs.yml, an empty docs/ and n incident files.

The history has the shapes real ones have: years of incidents, bursts of updates posted in the
same minute, titles repeated on the same day, very long titles, titles in Korean or Japanese
only, incidents reopened after they were resolved, maintenance that overruns its window,
incidents without a summary, updates with links (to other incidents too) and markdown.

`export_statuspage` writes such a history as Atlassian Statuspage would serve it (api/v2 files
of at most 50 incidents, history feeds of at most 25), so importers can be tested against it.

Usage: python benchmarks/corpus.py ROOT N [SEED]
       python benchmarks/corpus.py export ROOT OUT   (Statuspage files of the project at ROOT)
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import markdown
import yaml

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone(timedelta(hours=9)))
YEARS = 5
SITE_URL = "https://status.example.com/"
# Where the history was published before: links in the exported text point there.
OLD_PAGE = "https://oldstatus.example.net"

GROUPS: list[dict[str, Any]] = [
    {"id": "core", "name": {"en": "Core services", "ko": "핵심 서비스"}},
    {"id": "apps", "name": {"en": "Applications", "ko": "애플리케이션"}},
]
COMPONENTS: list[dict[str, Any]] = [
    {"id": "api", "name": "API", "group": "core"},
    {"id": "auth", "name": {"en": "Sign-in", "ko": "로그인"}, "group": "core"},
    {"id": "payments", "name": {"en": "Payments", "ko": "결제"}, "group": "core"},
    {"id": "database", "name": {"en": "Database", "ko": "데이터베이스"}, "group": "core"},
    {"id": "web", "name": {"en": "Website", "ko": "웹사이트"}, "group": "apps"},
    {"id": "dashboard", "name": {"en": "Dashboard", "ko": "대시보드"}, "group": "apps"},
    {"id": "mobile", "name": {"en": "Mobile app", "ko": "모바일 앱"}, "group": "apps"},
    {"id": "email", "name": {"en": "Email delivery", "ko": "이메일 발송"}, "group": "apps"},
]
COMPONENT_IDS = [c["id"] for c in COMPONENTS]

SEVERITIES = ["critical", "major", "minor", "notice"]
SEVERITY_WEIGHTS = [5, 20, 50, 25]
WORST_IMPACT = {
    "critical": "major_outage",
    "major": "partial_outage",
    "minor": "degraded_performance",
    "notice": "degraded_performance",
}
LIGHTER = {
    "major_outage": "partial_outage",
    "partial_outage": "degraded_performance",
}
CATEGORIES = ["technical", "operational", "external", "customer"]
PEOPLE = [
    ({"en": "Kim Minji", "ko": "김민지"}, {"en": "CTO", "ko": "최고기술책임자"}),
    ("Lee Junho", "Head of Infrastructure"),
    ({"en": "Park Seoyeon", "ko": "박서연"}, {"en": "VP Engineering", "ko": "엔지니어링 부사장"}),
]
TROUBLES = [
    ("Elevated error rates on {c}", "{c} 오류율 증가"),
    ("{c} is slow for some customers", "일부 고객의 {c} 지연"),
    ("{c} unavailable after a deploy", "배포 후 {c} 사용 불가"),
    ("Intermittent timeouts on {c}", "{c} 간헐적 시간 초과"),
    ("Delayed processing in {c}", "{c} 처리 지연"),
]
WORKS = [
    ("Scheduled upgrade of {c}", "{c} 정기 업그레이드"),
    ("Network maintenance affecting {c}", "{c} 네트워크 점검"),
    ("Database migration for {c}", "{c} 데이터베이스 이전"),
]
SENTENCES = [
    "A configuration change rolled out to part of the fleet caused requests to fail.",
    "Our monitoring alerted the on-call engineer, who started an investigation at once.",
    "Traffic was shifted to a healthy region while the faulty hosts were drained.",
    "The upstream provider confirmed a fault in one of its availability zones.",
    "Retries from clients amplified the load on the connection pool for a while.",
    "No data was lost; requests made during the incident can be safely retried.",
    "We rolled back the release and verified that error rates returned to normal.",
    "A certificate renewal job had silently failed, and clients rejected the old one.",
]
FOLLOW_UPS = [
    "Add an alert on **connection pool saturation**",
    "Stage configuration changes by region",
    "Run the `renew-certs` job with a health check",
    "Document the failover runbook",
    "Load-test the retry policy of the SDKs",
]
UPDATE_TEXT = {
    "investigating": "We are investigating reports of problems with {c}.",
    "identified": "The cause has been identified and a fix is being rolled out.",
    "monitoring": "A fix has been deployed; we are monitoring the results.",
    "resolved": "This incident has been resolved. {c} works normally again.",
    "scheduled": "Maintenance of {c} is scheduled for the announced window.",
    "in_progress": "Maintenance is in progress.",
    "verifying": "The work is done; we are verifying that everything works.",
    "completed": "The maintenance has been completed.",
}
UPDATE_TEXT_KO = {
    "investigating": "{c} 문제를 조사하고 있습니다.",
    "resolved": "문제가 해결되었습니다.",
    "completed": "점검이 완료되었습니다.",
}
# Titles of a site whose authors write in one language only.
TITLES_KO = ["결제 서비스 장애", "{c} 접속 지연", "일부 고객의 로그인 오류", "앱 알림 지연"]
TITLES_JA = ["決済サービスの障害", "{c}の応答遅延", "一部のお客様でログインできない問題"]
LONG_TITLE = (
    "Elevated error rates and intermittent timeouts for {c} requests from customers in several "
    "regions, including card payments at online merchants, bank transfers scheduled for the "
    "morning batch, sign-in with single sign-on providers and the delivery of receipts by email, "
    "while the team works with the upstream provider on a fix"
)
# Same-minute follow-ups: several people post within one minute during a busy incident.
BURST_TEXT = [
    "Correction: the previous update named the wrong region; only customers in Tokyo are affected.",
    "Customers calling web_search or the `search_v2` endpoint may also see errors.",
    "**Workaround:** retry the request after a few seconds; see [the retry guide]"
    "(https://docs.example.com/guides/retry_policy) for details.",
    "We have added more engineers to this incident.",
]
LINKED_TEXT = [
    "Details of the affected requests: https://help.example.com/articles/20031",
    "This looks like [the earlier incident]({earlier}); we are checking the same hosts.",
    "Affected:\n\n- card payments at online merchants\n- refunds issued today",
    "The `batch_size` setting of the importer was lowered; **no data was lost**.",
    "リトライしてください。詳細は https://help.example.com/ja/articles/20031 をご覧ください。",
]
REOPEN_TEXT = "The errors are back for some customers; we are investigating again."
OVERRUN_TEXT = "The work takes longer than planned; we expect to finish within the hour."


class _Dumper(yaml.SafeDumper):
    """Writes times unquoted, as people do; statuskit reads them back as text."""


_Dumper.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if not tag.endswith(":timestamp")]
    for first, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()
}


def _dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def _t(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _name(component_id: str, locale: str = "en") -> str:
    name = next(c["name"] for c in COMPONENTS if c["id"] == component_id)
    return str(name.get(locale, name["en"]) if isinstance(name, dict) else name)


def _text(rng: random.Random, en: str, ko: str, share: float = 0.3) -> str | dict[str, str]:
    """Plain English text, or sometimes an en + ko map."""
    return {"en": en, "ko": ko} if rng.random() < share else en


def _body(rng: random.Random) -> str:
    count = rng.randint(1, 3)
    paragraphs = [" ".join(rng.sample(SENTENCES, rng.randint(2, 4))) for _ in range(count)]
    if rng.random() < 0.4:
        items = rng.sample(FOLLOW_UPS, rng.randint(2, 4))
        paragraphs.append("## Follow-up\n\n" + "\n".join(f"- {item}" for item in items))
    return "\n\n".join(paragraphs) + "\n"


def _update(
    rng: random.Random, at: datetime, status: str, component: str, **extra: Any
) -> dict[str, Any]:
    en = UPDATE_TEXT[status].format(c=_name(component))
    ko = UPDATE_TEXT_KO.get(status)
    body = _text(rng, en, ko.format(c=_name(component, "ko")), 0.3) if ko else en
    return {"at": _t(at), "status": status, "body": body, **extra}


def _title(rng: random.Random, component: str) -> str | dict[str, str]:
    """Mostly English (sometimes with Korean), sometimes Korean or Japanese only, rarely long."""
    roll = rng.random()
    if roll < 0.08:
        return rng.choice(TITLES_KO).format(c=_name(component, "ko"))
    if roll < 0.13:
        return rng.choice(TITLES_JA).format(c=_name(component))
    if roll < 0.16:
        return LONG_TITLE.format(c=_name(component))
    en, ko = rng.choice(TROUBLES)
    return _text(rng, en.format(c=_name(component)), ko.format(c=_name(component, "ko")))


def _link_to(earlier: str) -> str:
    """The new site's address of an earlier incident, as an author links to it."""
    return f"{SITE_URL}incidents/{earlier}/"


def _extra(rng: random.Random, earlier: list[str]) -> str:
    """A paragraph with a link or markdown, added to some updates."""
    text = rng.choice(LINKED_TEXT)
    if "{earlier}" in text:
        if not earlier:
            return LINKED_TEXT[0]
        text = text.format(earlier=_link_to(rng.choice(earlier)))
    return text


def _incident(
    rng: random.Random, start: datetime, open_: bool, earlier: list[str] | None = None
) -> dict[str, Any]:
    earlier = earlier or []
    severity = rng.choices(SEVERITIES, SEVERITY_WEIGHTS)[0]
    affected = rng.sample(COMPONENT_IDS, rng.choice([1, 1, 1, 2]))
    impact = WORST_IMPACT[severity]
    data: dict[str, Any] = {
        "title": _title(rng, affected[0]),
        "kind": "incident",
        "severity": severity,
        "category": rng.choice(CATEGORIES),
        "components": dict.fromkeys(affected, impact),
        "started_at": _t(start),
    }
    if rng.random() < 0.3:
        data["regions"] = rng.sample(["kr", "jp", "us", "eu"], rng.randint(1, 2))
    if rng.random() < 0.2:
        data["workaround"] = "Retry the request, or use the website while the app is affected."
    detected = start + timedelta(minutes=rng.randint(0, 15))
    if severity in ("critical", "major") or rng.random() < 0.5:
        data["detected_at"] = _t(detected)
    if severity in ("critical", "major"):
        name, role = rng.choice(PEOPLE)
        data["responsible"] = {"name": name, "role": role}
    if open_:
        statuses = ["investigating", "identified", "monitoring"][: rng.randint(1, 3)]
    else:
        stages = ["investigating", "identified", "monitoring"]
        middle = sorted(rng.choices(range(3), k=rng.randint(0, 3)))
        statuses = ["investigating", *(stages[m] for m in middle), "resolved"]
        if rng.random() < 0.06:
            # Resolved too early: the problem came back, and the incident was reopened.
            statuses += ["investigating", "resolved"]
    at = detected + timedelta(minutes=rng.randint(2, 45))  # within 60 of start
    updates: list[dict[str, Any]] = []
    for number, status in enumerate(statuses):
        extra: dict[str, Any] = {}
        if number == 0 and rng.random() < 0.3:
            extra["provisional"] = True
        if number > 0 and statuses[number - 1] == "resolved":
            extra["reopened"] = True
        if status == "resolved" and rng.random() < 0.5:
            extra["components"] = dict.fromkeys(affected, "operational")
        elif number > 0 and status != "resolved" and rng.random() < 0.3 and impact in LIGHTER:
            impact = LIGHTER[impact]
            extra["components"] = {affected[0]: impact}
        when = min(at, NOW - timedelta(minutes=1))
        update = _update(rng, when, status, affected[0], **extra)
        if extra.get("reopened"):
            update["body"] = REOPEN_TEXT
        elif rng.random() < 0.25 and isinstance(update["body"], str):
            update["body"] += "\n\n" + _extra(rng, earlier)
        updates.append(update)
        if status != "resolved" and rng.random() < 0.15:
            # A burst: more updates in the same minute, in the order they were posted.
            for text in rng.sample(BURST_TEXT, rng.randint(1, 3)):
                updates.append({"at": _t(when), "status": status, "body": text})
        at += timedelta(minutes=rng.randint(5, 180 if not open_ else 20))
    if open_:
        # An open incident promises its next update, as the cadence policy asks.
        updates[-1]["next_update_by"] = _t(NOW + timedelta(minutes=30))
    data["updates"] = updates
    return data


def _maintenance(rng: random.Random, start: datetime, future: bool) -> dict[str, Any]:
    affected = rng.sample(COMPONENT_IDS, rng.randint(1, 3))
    end = start + timedelta(hours=rng.randint(1, 4))
    en, ko = rng.choice(WORKS)
    announced = start - timedelta(days=rng.randint(1, 7))
    announced = min(announced, NOW - timedelta(hours=rng.randint(1, 72)))
    c = affected[0]
    updates = [_update(rng, announced, "scheduled", c)]
    if not future:
        updates.append(_update(rng, start, "in_progress", c))
        finish = end - timedelta(minutes=rng.randint(0, 30))
        if rng.random() < 0.2:
            # Overruns its window: still in progress after the announced end.
            late = end + timedelta(minutes=rng.randint(5, 30))
            updates.append({"at": _t(late), "status": "in_progress", "body": OVERRUN_TEXT})
            finish = late + timedelta(minutes=rng.randint(10, 90))
        if rng.random() < 0.3:
            updates.append(_update(rng, finish - timedelta(minutes=10), "verifying", c))
        updates.append(_update(rng, finish, "completed", c))
    return {
        "title": _text(rng, en.format(c=_name(c)), ko.format(c=_name(c, "ko"))),
        "kind": "maintenance",
        "category": "operational",
        "components": dict.fromkeys(affected, "under_maintenance"),
        "scheduled_for": _t(start),
        "scheduled_until": _t(end),
        "updates": updates,
    }


def _config(locales: list[str]) -> dict[str, Any]:
    return {
        "site_name": "Benchmark Status",
        "site_url": SITE_URL,
        "docs_dir": "docs",
        "theme": {"name": "material", "font": False},
        "plugins": [
            "search",
            {
                "statuskit": {
                    "timezone": "Asia/Seoul",
                    "now": _t(NOW),
                    "locales": locales,
                    "groups": GROUPS,
                    "components": COMPONENTS,
                }
            },
        ],
    }


def generate(
    root: Path,
    n: int,
    seed: int = 0,
    locales: tuple[str, ...] = ("en", "ko"),
    postmortems: float = 0.0,
) -> list[Path]:
    """Write a complete statuskit project with n incident files into root; returns the files.

    `postmortems` is the share of closed incidents given a published postmortem, drawn apart
    from the rest, so the incidents of a seed are the same with or without them.
    """
    rng = random.Random(seed)
    chosen = random.Random(f"{seed}:postmortems")
    root.mkdir(parents=True, exist_ok=True)
    (root / "docs").mkdir(exist_ok=True)
    (root / "mkdocs.yml").write_text(_dump(_config(list(locales))), encoding="utf-8")
    n_open = min(n, rng.randint(1, 3))
    n_future = min(n - n_open, max(1, min(5, n // 50)))
    span = timedelta(days=365 * YEARS).total_seconds()
    written: list[Path] = []
    earlier: list[str] = []
    previous: tuple[datetime, Any] | None = None
    for number in range(n):
        if number < n_open:
            start = NOW - timedelta(minutes=rng.randint(30, 360))
            data, slug = _incident(rng, start, open_=True), "open"
        elif number < n_open + n_future:
            start = NOW + timedelta(days=rng.randint(1, 30), hours=rng.randint(0, 23))
            start = start.replace(minute=0)
            data, slug = _maintenance(rng, start, future=True), "maintenance"
        else:
            start = NOW - timedelta(days=2, seconds=rng.uniform(0, span))
            start = start.replace(second=0, microsecond=0)
            if previous is not None and rng.random() < 0.04:
                # The same title again on the same day: a second, separate incident.
                start = previous[0] + timedelta(minutes=rng.randint(20, 120))
                if start.date() != previous[0].date():
                    start = previous[0]
                data, slug = _incident(rng, start, open_=False, earlier=earlier), "incident"
                data["title"] = previous[1]
            elif rng.random() < 0.1:
                data, slug = _maintenance(rng, start, future=False), "maintenance"
            else:
                data, slug = _incident(rng, start, open_=False, earlier=earlier), "incident"
        if slug == "incident":
            previous = (start, data["title"])
        front = _dump(data)
        stem = f"{start:%Y-%m-%d}-{slug}-{number:05d}"
        path = root / "incidents" / f"{start:%Y}" / f"{stem}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        # Some incidents never got a summary: only their updates tell what happened.
        body = _body(rng) if rng.random() >= 0.2 else ""
        path.write_text(f"---\n{front}---\n{body}", encoding="utf-8")
        written.append(path)
        earlier.append(stem)
        # Published ten days after the incident began: never for one too recent for that.
        recent = start > NOW - timedelta(days=11)
        if slug == "incident" and chosen.random() < postmortems and not recent:
            postmortem = path.with_name(f"{stem}.postmortem.md")
            postmortem.write_text(_postmortem(start, locales), encoding="utf-8")
            written.append(postmortem)
    return written


def _postmortem(start: datetime, locales: tuple[str, ...]) -> str:
    """A published postmortem, ten days after its incident began."""
    summary = {
        "en": "A configuration change made requests fail; we rolled it back and now stage it.",
        "ko": "설정 변경으로 요청이 실패했습니다. 변경을 되돌렸고 이제 단계적으로 배포합니다.",
        "ja": "設定の変更でリクエストが失敗しました。変更を戻し、今は段階的に展開しています。",
    }
    data = {
        "status": "published",
        "published_at": (start + timedelta(days=10)).isoformat(),
        "summary": {locale: summary.get(locale, summary["en"]) for locale in locales},
    }
    body = "We changed a setting, requests failed, and we rolled the change back.\n"
    return f"---\n{_dump(data)}---\n{body}"


# Statuspage's own files ------------------------------------------------------------------

# incidents.json and scheduled-maintenances.json list the newest 50; a history feed the newest 25.
API_LIMIT = 50
FEED_LIMIT = 25
PAGE_ID = "corpus0page0"
LABELS = {
    "investigating": "Investigating",
    "identified": "Identified",
    "monitoring": "Monitoring",
    "resolved": "Resolved",
    "scheduled": "Scheduled",
    "in_progress": "In progress",
    "verifying": "Verifying",
    "completed": "Completed",
}
IMPACT = {"critical": "critical", "major": "major", "minor": "minor", "notice": "none"}
RANK = [
    "operational",
    "under_maintenance",
    "degraded_performance",
    "partial_outage",
    "major_outage",
]


@dataclass
class StatuspageExport:
    """Where an exported history went: saved copies oldest first, as a user would pass them."""

    api: list[Path] = field(default_factory=list)
    feeds: list[Path] = field(default_factory=list)


def _utc(moment: datetime) -> str:
    """A time as Statuspage's API writes it: UTC, milliseconds, Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _en(text: Any) -> str:
    """The default locale's text of a statuskit Text (what a one-language page shows)."""
    return str(text.get("en", "en").text).strip()


def _incident_links(text: str, page_url: str) -> str:
    """`https://status.example.com/incidents/ID/` written as `https://old/incidents/ID`."""
    out: list[str] = []
    marker = f"{SITE_URL}incidents/"
    rest = text
    while marker in rest:
        before, _, after = rest.partition(marker)
        ident, slash, tail = after.partition("/")
        out.append(f"{before}{page_url}/incidents/{ident}")
        rest = tail if slash else ""
    return "".join(out) + rest


def _impacts(incident: Any) -> dict[str, str]:
    """Each component's impact after the incident's last update."""
    current = dict(incident.components)
    for update in incident.updates:
        current.update(update.components)
    return current


def _api_object(incident: Any, page_url: str) -> dict[str, Any]:
    """One incident or maintenance as Statuspage's API v2 lists it, its updates newest first."""
    maintenance = incident.kind == "maintenance"
    closing = "completed" if maintenance else "resolved"
    current: dict[str, str] = {}
    updates: list[dict[str, Any]] = []
    for number, update in enumerate(incident.updates):
        changed = dict(update.components)
        if number == 0:
            start = {
                c: ("under_maintenance" if maintenance else i)
                for c, i in incident.components.items()
            }
            changed = {**start, **changed}
        affected = [
            {
                "code": c,
                "name": _name(c),
                "old_status": current.get(c, "operational"),
                "new_status": i,
            }
            for c, i in changed.items()
        ]
        current.update(changed)
        updates.append(
            {
                "id": f"{incident.id}-u{number}",
                "status": update.status,
                "body": _incident_links(_en(update.body), page_url),
                "incident_id": incident.id,
                "created_at": _utc(update.at),
                "updated_at": _utc(update.at),
                "display_at": _utc(update.at),
                "affected_components": affected,
                "deliver_notifications": True,
                "custom_tweet": None,
                "tweet_id": None,
            }
        )
    first, last = incident.updates[0], incident.updates[-1]
    closed = next((u.at for u in reversed(incident.updates) if u.status == closing), None)
    item: dict[str, Any] = {
        "id": incident.id,
        "name": _en(incident.title),
        "status": last.status,
        "created_at": _utc(first.at),
        "updated_at": _utc(last.at),
        "monitoring_at": next(
            (_utc(u.at) for u in incident.updates if u.status == "monitoring"), None
        ),
        "resolved_at": _utc(closed) if closed and last.status == closing else None,
        "impact": "maintenance" if maintenance else IMPACT.get(incident.severity, "minor"),
        "shortlink": f"https://stspg.io/{incident.id[-8:]}",
        "started_at": _utc(incident.started_at or first.at),
        "page_id": PAGE_ID,
        "incident_updates": list(reversed(updates)),
        "components": [
            {"id": c, "name": _name(c), "status": "operational", "group_id": None}
            for c in incident.components
        ],
        "postmortem_body": _incident_links(_en(incident.body), page_url) or None,
    }
    if maintenance:
        item["scheduled_for"] = _utc(incident.scheduled_for)
        item["scheduled_until"] = _utc(incident.scheduled_until)
    return item


def _printed(moment: datetime) -> str:
    """A time as a history feed prints it: `Nov <var>25</var>, <var>15:50</var> UTC`."""
    at = moment.astimezone(UTC)
    return f"{at:%b} <var data-var='date'>{at.day}</var>, <var data-var='time'>{at:%H:%M}</var> UTC"


def _block(label: str, moment: datetime, text: str) -> str:
    """One update in a feed entry: time, label, and the text rendered as HTML."""
    html = markdown.markdown(text)
    first, rest = "", html
    if html.startswith("<p>"):
        end = html.index("</p>")
        first, rest = html[3:end], html[end + 4 :]
    return f"<p><small>{_printed(moment)}</small><br><strong>{label}</strong> - {first}</p>{rest}"


def _feed_html(incident: Any, page_url: str) -> str:
    """An entry's HTML as Statuspage writes it: the window, updates newest first, components."""
    parts: list[str] = []
    maintenance = incident.kind == "maintenance"
    if maintenance:
        start, end = incident.scheduled_for.astimezone(UTC), incident.scheduled_until
        end = end.astimezone(UTC)
        until = _printed(end) if end.date() != start.date() else f"{end:%H:%M} UTC"
        window = f"{_printed(start).removesuffix(' UTC')} - {until}"
        parts.append(f"<p><strong>THIS IS A SCHEDULED EVENT {window}</strong></p>")
    body = _incident_links(_en(incident.body), page_url)
    if body:
        parts.append(_block("Postmortem", incident.updates[-1].at, body))
    blocks: list[str] = []
    previous = None
    for update in incident.updates:
        text = _incident_links(_en(update.body), page_url)
        # Statuspage labels an update that keeps the status "Update".
        label = "Update" if update.status == previous else LABELS[update.status]
        blocks.append(_block(label, update.at, text))
        previous = update.status
    parts += reversed(blocks)
    names = " and ".join(_name(c) for c in incident.components)
    if names:
        what = "scheduled maintenance" if maintenance else "incident"
        parts.append(f"<p>This {what} affected: {names}.</p>")
    return "".join(parts)


def _atom(entries: list[Any], page_url: str, number: int) -> str:
    """A saved history.atom of the old page holding the given incidents, newest first."""
    host = page_url.split("//", 1)[1]
    items = []
    for incident in entries:
        items.append(
            "<entry>"
            f"<id>tag:{host},2005:Incident/{number}{len(items):03d}</id>"
            f"<published>{_utc(incident.updates[0].at)}</published>"
            f"<updated>{_utc(incident.updates[-1].at)}</updated>"
            f'<link rel="alternate" type="text/html" href="{page_url}/incidents/{incident.id}"/>'
            f"<title>{escape(_en(incident.title))}</title>"
            f'<content type="html">{escape(_feed_html(incident, page_url))}</content>'
            "</entry>"
        )
    updated = _utc(max(i.updates[-1].at for i in entries))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<feed xml:lang="en-US" xmlns="http://www.w3.org/2005/Atom">'
        f"<id>tag:{host},2005:/history</id>"
        f'<link rel="alternate" type="text/html" href="{page_url}"/>'
        f'<link rel="self" type="application/atom+xml" href="{page_url}/history.atom"/>'
        f"<title>Corpus Status - Incident History</title><updated>{updated}</updated>"
        f"<author><name>Corpus</name></author>{''.join(items)}</feed>\n"
    )


def _rss(entries: list[Any], page_url: str) -> str:
    """The same history as history.rss: one item per incident, newest first."""
    items = "".join(
        "<item>"
        f"<title>{escape(_en(i.title))}</title>"
        f"<description>{escape(_feed_html(i, page_url))}</description>"
        f"<pubDate>{format_datetime(i.updates[-1].at.astimezone(UTC))}</pubDate>"
        f"<link>{page_url}/incidents/{i.id}</link>"
        f"<guid>{page_url}/incidents/{i.id}#{_utc(i.updates[-1].at)}</guid>"
        "</item>"
        for i in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>Corpus Status - Incident History</title><link>{page_url}</link>"
        f"<description>Statuspage</description>{items}</channel></rss>\n"
    )


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    """Oldest first, `size` at a time: what one saved copy could hold."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def export_statuspage(
    root: Path, out: Path, *, page_url: str = OLD_PAGE, feed_format: str = "atom"
) -> StatuspageExport:
    """The project's history as saved copies of a Statuspage page: api/v2 folders of at most
    50 incidents and 50 maintenances, and history feeds of at most 25, oldest copy first."""
    from statuskit.core.loader import load_incidents

    loaded = load_incidents(root / "incidents", "en")
    if loaded.problems:
        raise ValueError(f"{root}: the corpus does not load: {loaded.problems[0]}")
    history = sorted(loaded.incidents, key=lambda i: (i.updates[0].at, i.id))
    incidents = [i for i in history if i.kind == "incident"]
    works = [i for i in history if i.kind == "maintenance"]
    export = StatuspageExport()
    page = {"id": PAGE_ID, "name": "Corpus", "url": page_url, "time_zone": "Etc/UTC"}
    api_incidents = list(_chunks(incidents, API_LIMIT))
    api_works = list(_chunks(works, API_LIMIT))
    copies = max(len(api_incidents), len(api_works), 1)
    for number in range(copies):
        folder = out / f"api-{number:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        listed = api_incidents[number] if number < len(api_incidents) else []
        planned = api_works[number] if number < len(api_works) else []
        files: dict[str, Any] = {
            "incidents.json": {
                "page": page,
                "incidents": [_api_object(i, page_url) for i in reversed(listed)],
            },
            "scheduled-maintenances.json": {
                "page": page,
                "scheduled_maintenances": [_api_object(i, page_url) for i in reversed(planned)],
            },
        }
        if number == copies - 1:
            files.update(_summary(history, page, page_url))
        for name, data in files.items():
            text = json.dumps(data, ensure_ascii=False, indent=2)
            (folder / name).write_text(text + "\n", encoding="utf-8")
        export.api.append(folder)
    feeds = out / "feeds"
    feeds.mkdir(parents=True, exist_ok=True)
    for number, chunk in enumerate(_chunks(history, FEED_LIMIT)):
        newest_first = list(reversed(chunk))
        if feed_format == "rss":
            path, text = feeds / f"history-{number:03d}.rss", _rss(newest_first, page_url)
        else:
            path, text = feeds / f"history-{number:03d}.atom", _atom(newest_first, page_url, number)
        path.write_text(text, encoding="utf-8")
        export.feeds.append(path)
    return export


def _summary(history: list[Any], page: dict[str, Any], page_url: str) -> dict[str, Any]:
    """summary.json and components.json: open incidents, maintenance to come, components."""
    open_incidents = [
        i for i in history if i.kind == "incident" and i.updates[-1].status != "resolved"
    ]
    active = [i for i in history if i.kind == "maintenance" and i.updates[-1].status != "completed"]
    impacts: dict[str, list[str]] = {}
    for incident in open_incidents:
        for component, impact in _impacts(incident).items():
            impacts.setdefault(component, []).append(impact)
    components = [
        {
            "id": c["id"],
            "name": _name(c["id"]),
            "status": max(impacts.get(c["id"], ["operational"]), key=RANK.index),
            "position": n + 1,
            "group_id": None,
            "group": False,
            "showcase": True,
        }
        for n, c in enumerate(COMPONENTS)
    ]
    summary = {
        "page": page,
        "components": components,
        "incidents": [_api_object(i, page_url) for i in reversed(open_incidents)],
        "scheduled_maintenances": [_api_object(i, page_url) for i in reversed(active)],
        "status": {
            "indicator": "minor" if open_incidents else "none",
            "description": "Partial System Outage" if open_incidents else "All Systems Operational",
        },
    }
    return {"summary.json": summary, "components.json": {"page": page, "components": components}}


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "export":
        export = export_statuspage(Path(argv[1]), Path(argv[2]))
        copies, feeds = len(export.api), len(export.feeds)
        print(f"wrote {copies} api/v2 copies and {feeds} feeds under {argv[2]}")
        return 0
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    files = generate(Path(argv[0]), int(argv[1]), int(argv[2]) if len(argv) == 3 else 0)
    print(f"wrote {len(files)} incident files under {Path(argv[0]) / 'incidents'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
