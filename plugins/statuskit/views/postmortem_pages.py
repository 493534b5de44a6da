"""Pages that keep the company's promises visible: postmortems, prevention plans, compensation,
and the reliability report, resolved for one locale like every other page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from markupsafe import Markup

from ..core.compensation import Tier
from ..core.model import Action, Incident, IncidentCompensation, Localized, Postmortem, Text
from ..core.reliability import UPTIME_WINDOWS, Durations, Report, build_report, quarter_of
from ..core.status import IncidentState
from .formatting import TimeText
from .pages import (
    Badge,
    IncidentSummary,
    PagePlanner,
    PageSpec,
    PlannerExtension,
    SitePlan,
    feed_links,
    incident_src,
    postmortem_src,
)
from .practice import category_label

ACTION_ICONS = {
    "planned": "material/calendar-clock",
    "in_progress": "material/progress-wrench",
    "done": "material/check-circle",
    "dropped": "material/cancel",
    "overdue": "material/alert-circle",
}


@dataclass
class MilestoneView:
    title: Localized
    due: TimeText
    done_at: TimeText | None
    overdue: bool = False


@dataclass
class VerificationView:
    """How an action's effect is checked and, once checked, the outcome in words."""

    method: Localized
    due: TimeText | None
    verified_at: TimeText | None
    outcome: str | None
    outcome_label: str | None
    result: Localized | None
    overdue: bool


@dataclass
class ActionView:
    """One prevention action as a table row: overdue shown in words, not colour."""

    id: str
    title: Localized
    type_label: str
    owner: str
    due: TimeText | None
    status: Badge
    overdue: bool
    progress: str
    percent: int | None
    done_at: TimeText | None
    target: Localized | None
    reason: Localized | None
    milestones: list[MilestoneView]
    incident: IncidentSummary | None
    quarter: str
    verification: VerificationView | None = None


@dataclass
class CompensationView:
    tier: Localized | None
    offer: str
    offer_lang: str
    computed: bool
    eligible: Localized | None
    exceptions: Localized | None
    payout: Badge | None
    payout_date: TimeText | None
    payout_paid: bool
    customers: str | None


@dataclass
class TimelineRow:
    """A public update or an extra postmortem event, in one time-ordered list."""

    moment: datetime
    at: TimeText
    status: str | None
    text: Markup
    lang: str


@dataclass
class DurationRow:
    label: str
    median: str
    worst: str
    count: int


@dataclass
class QuarterView:
    name: str
    incidents: int
    severities: list[tuple[str, int]]
    categories: list[tuple[str, int]]
    durations: list[DurationRow]


class AccountabilityPlanner(PlannerExtension):
    """Adds the postmortem, prevention, compensation and reliability pages to a site plan."""

    def __init__(self, planner: PagePlanner) -> None:
        super().__init__(planner)
        self.report: Report = build_report(planner.state, planner.settings)

    def text(self, value: Text | None) -> Localized | None:
        return self.p.text(value) if value is not None else None

    def day(self, value: date) -> TimeText:
        return TimeText(value.isoformat(), self.fmt.day(value))

    def percent(self, value: float | None) -> str:
        return self.fmt.percent(value) if value is not None else "—"

    def duration(self, value: timedelta | None) -> str:
        return self.fmt.duration(value) if value is not None else "—"

    # Views ------------------------------------------------------------------------------

    def action_view(self, action: Action, incident: IncidentState | None) -> ActionView:
        today = self.report.today
        overdue = action.is_overdue(today)
        status = "overdue" if overdue else action.status
        label = self.t(f"action.status.{action.status}")
        if overdue:
            label = f"{label} · {self.t('action.overdue')}"
        done, total = action.progress()
        return ActionView(
            id=action.id,
            title=self.p.text(action.title),
            type_label=self.t(f"action.type.{action.type}"),
            owner=action.owner,
            due=self.day(action.due) if action.due else None,
            status=Badge(status, label, ACTION_ICONS[status]),
            overdue=overdue,
            progress=f"{done}/{total}" if action.status != "dropped" else "—",
            percent=round(100 * done / total) if action.status != "dropped" else None,
            done_at=self.day(action.done_at) if action.done_at else None,
            target=self.text(action.target),
            reason=self.text(action.reason),
            milestones=[
                MilestoneView(
                    self.p.text(m.title),
                    self.day(m.due),
                    self.day(m.done_at) if m.done_at else None,
                    action.is_open and m.is_overdue(today),
                )
                for m in action.milestones
            ],
            incident=self.p.summary(incident) if incident else None,
            quarter=quarter_of(action.due) if action.due else "",
            verification=self.verification_view(action),
        )

    def verification_view(self, action: Action) -> VerificationView | None:
        check = action.verification
        if check is None:
            return None
        return VerificationView(
            method=self.p.text(check.method),
            due=self.day(check.due) if check.due else None,
            verified_at=self.day(check.verified_at) if check.verified_at else None,
            outcome=check.outcome,
            outcome_label=self.t(f"verification.{check.outcome}") if check.outcome else None,
            result=self.text(check.result),
            overdue=action.status == "done" and check.is_overdue(self.report.today),
        )

    def compensation_view(
        self, incident: Incident, state: IncidentState, comp: IncidentCompensation
    ) -> CompensationView:
        policy = self.settings.compensation
        tier: Tier | None = policy.tier(comp.tier) if comp.tier else None
        computed = False
        if tier is None and comp.offer is None and incident.started_at and state.resolved_at:
            tier = policy.tier_for(incident.severity, state.resolved_at - incident.started_at)
            computed = tier is not None
        offer = self.text(comp.offer)
        if offer is None and tier is not None:
            offer = self.tier_offer(tier)
        payout = comp.payout
        return CompensationView(
            tier=self.p.text(tier.name) if tier else None,
            offer=offer.text if offer else "—",
            offer_lang=offer.lang if offer else self.p.locale,
            computed=computed,
            eligible=self.text(comp.eligible) or self.text(policy.eligible),
            exceptions=self.text(comp.exceptions) or self.text(policy.exclusions),
            payout=(
                Badge(
                    payout.status,
                    self.t(f"payout.{payout.status}"),
                    "material/check-circle"
                    if payout.status == "paid"
                    else "material/progress-clock",
                )
                if payout
                else None
            ),
            payout_date=self.day(payout.date) if payout and payout.date else None,
            payout_paid=payout is not None and payout.status == "paid",
            customers=(
                self.fmt.number(payout.customers)
                if payout and payout.customers is not None
                else None
            ),
        )

    def tier_offer(self, tier: Tier) -> Localized:
        if tier.benefit is not None:
            return self.p.text(tier.benefit)
        percent = self.fmt.number(tier.credit_percent or 0)
        return Localized(self.t("compensation.credit", percent=percent), self.p.locale, False)

    def timeline(self, incident: Incident, pm: Postmortem) -> list[TimelineRow]:
        rows = []
        for update in incident.updates:
            view = self.p.update_view(update)
            rows.append(TimelineRow(update.at, view.at, view.status.label, view.body, view.lang))
        for event in pm.timeline:
            text = self.p.text(event.event)
            html = self.p.markdown.html(text.text)
            rows.append(TimelineRow(event.at, self.fmt.time(event.at), None, html, text.lang))
        return sorted(rows, key=lambda r: r.moment)

    # Pages ------------------------------------------------------------------------------

    def extend(self, plan: SitePlan) -> None:
        """Add the accountability pages and link postmortems and compensation from incidents."""
        by_src = {spec.src_uri: spec for spec in plan.pages}
        for state in self.state.incidents.values():
            incident = state.incident
            pm = incident.published_postmortem
            if pm is None:
                continue
            spec = by_src.get(incident_src(incident.id))
            view = self.postmortem_view(state, pm)
            if spec is not None and spec.kept is None:  # a recalled page has them already
                spec.view["postmortem_url"] = view["url"]
                spec.view["compensation"] = view["compensation"]
            plan.pages.append(
                PageSpec(
                    src_uri=postmortem_src(incident.id),
                    url=view["url"],
                    title=self.t("postmortem.title", title=view["incident"].title.text),
                    template="statuskit/postmortem.html",
                    markdown=self.p.text(pm.body).text,
                    view=view,
                    feeds=feed_links(
                        self.t,
                        f"feeds/incidents/{incident.id}",
                        "feed.incident",
                        title=view["incident"].title.text,
                    ),
                )
            )
        plan.pages.append(self.prevention_page())
        if self.settings.compensation:
            plan.pages.append(self.policy_page())
        plan.pages.append(self.reliability_page())

    def postmortem_view(self, state: IncidentState, pm: Postmortem) -> dict[str, Any]:
        incident = state.incident
        summary = self.p.summary(state)
        signed = pm.signed_by or incident.responsible
        body = self.p.text(pm.body)
        detect = (
            incident.detected_at - incident.started_at
            if incident.detected_at and incident.started_at
            else None
        )
        actions = [self.action_view(a, None) for a in pm.actions]
        committed = [a for a in pm.actions if a.status != "dropped"]
        return {
            "incident": summary,
            "url": self.p.url(postmortem_src(incident.id)),
            "published": self.fmt.time(pm.published_at) if pm.published_at else None,
            "summary": self.text(pm.summary),
            "impact": self.text(pm.impact_description),
            "customers": self.text(pm.impact_customers),
            "regions": [self.p.region_name(r) for r in pm.impact_regions or incident.regions],
            "figures": [(self.p.text(f.label), self.p.text(f.value)) for f in pm.figures],
            "technical": self.text(pm.technical_cause),
            "operational": self.text(pm.operational_cause),
            "tags": pm.tags,
            "trigger": self.text(pm.trigger),
            "detection": self.text(pm.detection),
            "time_to_detect": self.duration(detect) if detect is not None else None,
            "resolution": self.text(pm.resolution),
            "went_well": [self.p.text(x) for x in pm.went_well],
            "went_badly": [self.p.text(x) for x in pm.went_badly],
            "lessons": [self.p.text(x) for x in pm.lessons],
            "timeline": self.timeline(incident, pm),
            "apology": self.text(pm.apology),
            "signed": (self.p.text(signed.name), self.p.text(signed.role)) if signed else None,
            "actions": actions,
            "completion": (
                self.fmt.share(sum(a.status == "done" for a in committed) / len(committed))
                if committed
                else None
            ),
            "overdue": sum(a.overdue for a in actions),
            "compensation": (
                self.compensation_view(incident, state, pm.compensation)
                if pm.compensation
                else None
            ),
            "body_lang": body.lang,
            "body_fallback": body.fallback and bool(body.text.strip()),
        }

    def prevention_page(self) -> PageSpec:
        report = self.report
        open_items = report.open_actions
        rows = [
            self.action_view(item.action, self.state.incidents.get(item.incident_id))
            for item in open_items
        ]
        quarters: dict[str, list[ActionView]] = {}
        for row in rows:
            quarters.setdefault(row.quarter or self.t("prevention.undated"), []).append(row)
        completion = report.completion
        return PageSpec(
            src_uri="prevention.md",
            url=self.p.url("prevention.md"),
            title=self.t("prevention.title"),
            template="statuskit/prevention.html",
            view={
                "quarters": list(quarters.items()),
                "open": len(rows),
                "overdue": len(report.overdue),
                "total": len(report.actions),
                "completion": self.fmt.share(completion) if completion is not None else None,
                "as_of": self.day(report.today),
            },
            in_nav=True,
        )

    def policy_page(self) -> PageSpec:
        policy = self.settings.compensation
        tiers = []
        for tier in policy.tiers:
            severities = [
                self.p.text(s.name).text
                for s in self.settings.severities
                if not tier.severities or s.id in tier.severities
            ]
            tiers.append(
                {
                    "name": self.p.text(tier.name),
                    "severities": severities,
                    "duration": (
                        self.fmt.duration(timedelta(minutes=tier.min_minutes))
                        if tier.min_minutes
                        else self.t("compensation.any_duration")
                    ),
                    "offer": self.tier_offer(tier),
                }
            )
        return PageSpec(
            src_uri="compensation.md",
            url=self.p.url("compensation.md"),
            title=self.t("compensation.title"),
            template="statuskit/compensation.html",
            view={
                "description": self.text(policy.description),
                "tiers": tiers,
                "eligible": self.text(policy.eligible),
                "exclusions": self.text(policy.exclusions),
                "claim": self.text(policy.claim),
            },
            in_nav=True,
        )

    def durations(self, label: str, value: Durations) -> DurationRow:
        return DurationRow(
            self.t(label), self.duration(value.median), self.duration(value.worst), value.count
        )

    def reliability_page(self) -> PageSpec:
        report = self.report
        components = []
        for component in sorted(self.settings.components, key=lambda c: c.position):
            figures = report.uptime.get(component.id, {})
            components.append(
                (
                    self.p.text(component.name),
                    [self.percent(figures.get(d)) for d in UPTIME_WINDOWS],
                )
            )
        severities = [(s.id, self.p.text(s.name).text) for s in self.settings.severities]
        quarters = [
            QuarterView(
                name=q.name,
                incidents=q.incidents,
                severities=[(label, q.by_severity.get(sid, 0)) for sid, label in severities],
                categories=[
                    (category_label(self.settings, c, self.t, self.p.text), n)
                    for c, n in sorted(q.by_category.items())
                ],
                durations=[
                    self.durations("reliability.detect", q.detect),
                    self.durations("reliability.first_notice", q.first_notice),
                    self.durations("reliability.resolve", q.resolve),
                ],
            )
            for q in report.quarters
        ]
        chart = list(reversed(quarters[:8]))
        peak = max((q.incidents for q in chart), default=0)
        completion = report.completion
        recurrences = [
            (tag, [self.p.summary(self.state.incidents[i]) for i in ids])
            for tag, ids in report.recurrences.items()
        ]
        return PageSpec(
            src_uri="reliability.md",
            url=self.p.url("reliability.md"),
            title=self.t("reliability.title"),
            template="statuskit/reliability.html",
            view={
                "windows": UPTIME_WINDOWS,
                "components": components,
                "quarters": quarters,
                "chart": chart,
                "peak": peak,
                "severities": [label for _, label in severities],
                "recurrences": recurrences,
                "completion": self.fmt.share(completion) if completion is not None else None,
                "open": len(report.open_actions),
                "overdue": len(report.overdue),
                "as_of": self.day(report.today),
                "prevention_url": self.p.url("prevention.md"),
            },
            in_nav=True,
        )
