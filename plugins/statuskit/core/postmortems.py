"""Postmortems: what happened, why, what customers get, and the prevention plan tracked to done."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from .documents import TimeError, parse_time, pointer, read_document, read_text, text_of
from .model import (
    Action,
    Figure,
    IncidentCompensation,
    Milestone,
    Payout,
    Postmortem,
    Responsible,
    Text,
    TimelineEvent,
    Verification,
)
from .problems import Problem
from .schema import SchemaCheck

# `<incident file stem>.postmortem.md`, and `.postmortem.<locale>.md` for a translated narrative.
POSTMORTEM_FILE = re.compile(
    r"^(?P<stem>.+)\.postmortem(?:\.(?P<locale>[a-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})?))?\.md$"
)
ACTION_TYPES = ("mitigate", "prevent", "detect", "process")
ACTION_STATUSES = ("planned", "in_progress", "done", "dropped")
PAYOUT_STATUSES = ("announced", "in_progress", "paid")


@cache
def postmortem_schema() -> dict[str, Any]:
    """The JSON Schema of postmortem files, shipped for editors and used for validation."""
    path = resources.files("statuskit").joinpath("schema/postmortem.schema.json")
    schema: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return schema


@cache
def _validator() -> SchemaCheck:
    return SchemaCheck(postmortem_schema())


def postmortem_stem(path: Path) -> tuple[str, str | None] | None:
    """(incident file stem, locale) of a postmortem file name, or None for other files."""
    match = POSTMORTEM_FILE.match(path.name)
    return (match["stem"], match["locale"]) if match else None


def load_postmortem(
    path: Path, default_locale: str, translations: dict[str, Path], problems: list[Problem]
) -> Postmortem | None:
    """Read one postmortem file; its problems go to `problems`, like an incident's."""
    document = read_document(path, problems, _validator(), "postmortem")
    if document is None:
        return None
    data = document.data
    doc = document.yaml
    before = len(problems)

    def text(value: Any) -> Text | None:
        return text_of(value, default_locale) if value is not None else None

    def texts(values: Any) -> list[Text]:
        return [text_of(v, default_locale) for v in values or []]

    def day(value: Any, where: tuple[str | int, ...]) -> date | None:
        if value is None:
            return None
        try:
            return date.fromisoformat(str(value))
        except ValueError as exc:
            problems.append(
                Problem(
                    document.shown,
                    doc.line(where),
                    f"{pointer(where)} {value!r} is not a valid date ({exc})",
                    "write it like 2026-10-31",
                )
            )
            return None

    def time(value: Any, where: tuple[str | int, ...]) -> datetime | None:
        if value is None:
            return None
        try:
            return parse_time(str(value), doc.line(where), pointer(where))
        except TimeError as exc:
            problems.append(Problem(document.shown, exc.line, exc.message, exc.hint))
            return None

    def verification(raw: Any, where: tuple[str | int, ...]) -> Verification | None:
        if raw is None:
            return None
        return Verification(
            method=text_of(raw["method"], default_locale),
            due=day(raw.get("due"), (*where, "due")),
            verified_at=day(raw.get("verified_at"), (*where, "verified_at")),
            outcome=raw.get("outcome"),
            result=text(raw.get("result")),
        )

    actions = []
    for n, raw in enumerate(data.get("actions", [])):
        where = ("actions", n)
        actions.append(
            Action(
                id=raw["id"],
                title=text_of(raw["title"], default_locale),
                type=raw["type"],
                owner=str(raw.get("owner", "")),
                due=day(raw.get("due"), (*where, "due")),
                status=raw["status"],
                done_at=day(raw.get("done_at"), (*where, "done_at")),
                reason=text(raw.get("reason")),
                target=text(raw.get("target")),
                milestones=[
                    Milestone(
                        text_of(m["title"], default_locale),
                        day(m["due"], (*where, "milestones", k, "due")) or date.min,
                        day(m.get("done_at"), (*where, "milestones", k, "done_at")),
                        doc.line((*where, "milestones", k)),
                    )
                    for k, m in enumerate(raw.get("milestones", []))
                ],
                line=doc.line(where),
                verification=verification(raw.get("verification"), (*where, "verification")),
            )
        )
    compensation = None
    if "compensation" in data:
        raw = data["compensation"]
        payout = None
        if "payout" in raw:
            payout = Payout(
                raw["payout"]["status"],
                day(raw["payout"].get("date"), ("compensation", "payout", "date")),
                raw["payout"].get("customers"),
            )
        compensation = IncidentCompensation(
            tier=raw.get("tier"),
            eligible=text(raw.get("eligible")),
            offer=text(raw.get("offer")),
            exceptions=text(raw.get("exceptions")),
            payout=payout,
            line=doc.line(("compensation",)),
        )
    bodies = {default_locale: document.body} if document.body.strip() else {}
    for locale, translation in translations.items():
        translated = read_text(translation, problems)
        if translated is not None:
            bodies[locale] = translated
    impact = data.get("impact", {})
    causes = data.get("root_causes", {})
    apology = data.get("apology", {})
    signed = apology.get("signed_by")
    postmortem = Postmortem(
        path=path,
        status=data["status"],
        published_at=time(data.get("published_at"), ("published_at",)),
        summary=text(data.get("summary")),
        body=Text(bodies),
        impact_description=text(impact.get("description")),
        impact_customers=text(impact.get("customers")),
        impact_regions=[str(r) for r in impact.get("regions", [])],
        figures=[
            Figure(text_of(f["label"], default_locale), text_of(f["value"], default_locale))
            for f in impact.get("figures", [])
        ],
        technical_cause=text(causes.get("technical")),
        operational_cause=text(causes.get("operational")),
        tags=list(data.get("tags", [])),
        trigger=text(data.get("trigger")),
        detection=text(data.get("detection")),
        resolution=text(data.get("resolution")),
        went_well=texts(data.get("went_well")),
        went_badly=texts(data.get("went_badly")),
        lessons=texts(data.get("lessons")),
        timeline=[
            TimelineEvent(at, text_of(e["event"], default_locale))
            for n, e in enumerate(data.get("timeline", []))
            if (at := time(e["at"], ("timeline", n, "at"))) is not None
        ],
        apology=text(apology.get("text")),
        signed_by=(
            Responsible(
                text_of(signed["name"], default_locale), text_of(signed["role"], default_locale)
            )
            if signed
            else None
        ),
        actions=actions,
        compensation=compensation,
        lines={pointer(k): v for k, v in doc.lines.items() if k},
    )
    if len(problems) > before:
        return None
    return postmortem
