"""A deterministic synthetic statuskit project: mkdocs.yml, an empty docs/ and n incident files.

Usage: python benchmarks/corpus.py ROOT N [SEED]
"""

from __future__ import annotations

import random
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone(timedelta(hours=9)))
YEARS = 5

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


def _incident(rng: random.Random, start: datetime, open_: bool) -> dict[str, Any]:
    severity = rng.choices(SEVERITIES, SEVERITY_WEIGHTS)[0]
    affected = rng.sample(COMPONENT_IDS, rng.choice([1, 1, 1, 2]))
    impact = WORST_IMPACT[severity]
    en, ko = rng.choice(TROUBLES)
    data: dict[str, Any] = {
        "title": _text(rng, en.format(c=_name(affected[0])), ko.format(c=_name(affected[0], "ko"))),
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
    at = detected + timedelta(minutes=rng.randint(2, 45))  # within 60 of start
    updates = []
    for number, status in enumerate(statuses):
        extra: dict[str, Any] = {}
        if number == 0 and rng.random() < 0.3:
            extra["provisional"] = True
        if status == "resolved" and rng.random() < 0.5:
            extra["components"] = dict.fromkeys(affected, "operational")
        elif number > 0 and status != "resolved" and rng.random() < 0.3 and impact in LIGHTER:
            impact = LIGHTER[impact]
            extra["components"] = {affected[0]: impact}
        when = min(at, NOW - timedelta(minutes=1))
        updates.append(_update(rng, when, status, affected[0], **extra))
        at += timedelta(minutes=rng.randint(5, 180 if not open_ else 20))
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
        "site_url": "https://status.example.com/",
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
    root: Path, n: int, seed: int = 0, locales: tuple[str, ...] = ("en", "ko")
) -> list[Path]:
    """Write a complete statuskit project with n incident files into root; returns the files."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "docs").mkdir(exist_ok=True)
    (root / "mkdocs.yml").write_text(_dump(_config(list(locales))), encoding="utf-8")
    n_open = min(n, rng.randint(1, 3))
    n_future = min(n - n_open, max(1, min(5, n // 50)))
    span = timedelta(days=365 * YEARS).total_seconds()
    written: list[Path] = []
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
            if rng.random() < 0.1:
                data, slug = _maintenance(rng, start, future=False), "maintenance"
            else:
                data, slug = _incident(rng, start, open_=False), "incident"
        front = _dump(data)
        path = root / "incidents" / f"{start:%Y}" / f"{start:%Y-%m-%d}-{slug}-{number:05d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\n{front}---\n{_body(rng)}", encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    files = generate(Path(argv[0]), int(argv[1]), int(argv[2]) if len(argv) == 3 else 0)
    print(f"wrote {len(files)} incident files under {Path(argv[0]) / 'incidents'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
