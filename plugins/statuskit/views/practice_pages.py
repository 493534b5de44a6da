"""Pages that show the practice up front: the severity scale, the history by category, the
quarterly review of prevention plans and recurrence targets against what happened."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from ..core.model import Localized, Severity
from ..core.reliability import quarter_of, recurrence_results
from ..core.status import IncidentState
from .pages import SEVERITY_SRC, PagePlanner, PageSpec, PlannerExtension, SitePlan, list_src
from .practice import category_label

COLOR_WORDS = ("red", "orange", "blue", "green")


@dataclass
class SeverityRow:
    """One level of the scale as the severity page shows it."""

    id: str
    name: Localized
    color: str
    color_label: str
    description: Localized | None
    examples: list[Localized]
    first_notice: str | None
    cadence: str | None
    count: int


@dataclass
class CategoryLink:
    id: str
    label: str
    url: str
    count: int | None  # None on older pages, which a new incident leaves unchanged
    current: bool = False


@dataclass
class ReviewRow:
    """One quarter of the prevention plan: what was due, done, overdue and proven to work."""

    quarter: str
    due: int
    done: int
    overdue: int
    verified: int
    milestones_overdue: int


@dataclass
class TargetRow:
    """A recurrence target and what happened: met while incidents stay within it."""

    tag: str
    description: Localized | None
    promise: str
    actual: str
    met: bool
    incidents: list[tuple[str, Localized]]


class PracticePlanner(PlannerExtension):
    """Adds the severity page and category history, and the review views to existing pages."""

    def __init__(self, planner: PagePlanner) -> None:
        super().__init__(planner)
        self.today = self.state.now.astimezone(self.settings.timezone).date()

    def extend(self, plan: SitePlan) -> None:
        plan.pages.append(self.severity_page())
        links, pages = self.category_pages()
        for spec in plan.pages:
            if spec.kept is not None:
                continue  # recalled: complete as the memo kept it
            if spec.template == "statuskit/history.html":
                spec.view["categories"] = self.category_links(links, spec)
                spec.view["all_url"] = self.p.url(list_src("history"))
            elif spec.src_uri == "prevention.md":
                spec.view["review"] = self.review()
            elif spec.src_uri == "reliability.md":
                spec.view["targets"] = self.targets()
            elif spec.template == "statuskit/incident.html":
                view = spec.view["incident"]
                link = next((c for c in links if c.id == self.category_of(view.summary.id)), None)
                view.category_url = link.url if link else None
            elif spec.src_uri.startswith("postmortems/") and "incident" in spec.view:
                summary = spec.view["incident"]
                spec.view["feedback_url"] = self.settings.feedback_link(summary.id)
        plan.pages += pages

    def category_of(self, incident_id: str) -> str:
        state = self.state.incidents.get(incident_id)
        return state.incident.category if state else ""

    # Severity scale ---------------------------------------------------------------------

    def severity_row(self, severity: Severity, counts: dict[str, int]) -> SeverityRow:
        policies = self.settings.policies
        notice = severity.first_notice_minutes or policies.first_notice_minutes
        cadence = severity.update_minutes or policies.update_cadence_minutes.get(severity.id)
        if cadence is None:
            cadence = policies.cadence(severity.id, timedelta(0))
        color = severity.color
        return SeverityRow(
            id=severity.id,
            name=self.p.text(severity.name),
            color=color,
            color_label=self.t(f"color.{color}") if color in COLOR_WORDS else color,
            description=self.p.text(severity.description) if severity.description else None,
            examples=[self.p.text(e) for e in severity.examples],
            first_notice=(
                self.fmt.duration(timedelta(minutes=notice))
                if notice and policies.level("first_notice")
                else None
            ),
            cadence=(
                self.fmt.duration(timedelta(minutes=cadence))
                if cadence and policies.level("stale_update")
                else None
            ),
            count=counts.get(severity.id, 0),
        )

    def severity_page(self) -> PageSpec:
        counts: dict[str, int] = {}
        for state in self.state.incidents.values():
            if not state.incident.is_maintenance:
                counts[state.incident.severity] = counts.get(state.incident.severity, 0) + 1
        policies = self.settings.policies
        daily = (
            self.fmt.duration(timedelta(hours=policies.long_running_hours))
            if policies.long_running_hours and policies.level("stale_update")
            else None
        )
        return PageSpec(
            src_uri=SEVERITY_SRC,
            url=self.p.url(SEVERITY_SRC),
            title=self.t("severity.title"),
            template="statuskit/severity.html",
            view={
                "levels": [self.severity_row(s, counts) for s in self.settings.severities],
                "long_running": daily,
                "history_url": self.p.url(list_src("history")),
            },
            in_nav=True,
        )

    # History by category ----------------------------------------------------------------

    def category_pages(self) -> tuple[list[CategoryLink], list[PageSpec]]:
        by_category: dict[str, list[IncidentState]] = {}
        for state in self.state.closed():
            if not state.incident.is_maintenance:
                by_category.setdefault(state.incident.category, []).append(state)
        links: list[CategoryLink] = []
        pages: list[PageSpec] = []
        for category in self.settings.categories:
            items = by_category.get(category.id)
            if not items:
                continue
            label = category_label(self.settings, category.id, self.t, self.p.text)
            base = f"history/category/{category.id}"
            links.append(CategoryLink(category.id, label, self.p.url(list_src(base)), len(items)))
            pages += self.p._paginate(
                base,
                items,
                self.t("history.category_title", category=label),
                "statuskit/history.html",
                {"month_index": [], "category": category.id},
            )
        for spec in pages:
            current = spec.view["category"]
            spec.view["all_url"] = self.p.url(list_src("history"))
            spec.view["categories"] = self.category_links(
                [CategoryLink(c.id, c.label, c.url, c.count, c.id == current) for c in links],
                spec,
            )
        return links, pages

    def category_links(self, links: list[CategoryLink], spec: PageSpec) -> list[CategoryLink]:
        """Counts on a list's first page alone: an older page stays as it is when one is added."""
        if spec.view["pager"].number == 0:
            return links
        return [replace(c, count=None) for c in links]

    # Quarterly review -------------------------------------------------------------------

    def review(self) -> list[ReviewRow]:
        rows: dict[str, ReviewRow] = {}
        for state in self.state.incidents.values():
            pm = state.incident.published_postmortem
            if pm is None:
                continue
            for action in pm.actions:
                if action.status == "dropped" or action.due is None:
                    continue
                name = quarter_of(action.due)
                row = rows.setdefault(name, ReviewRow(name, 0, 0, 0, 0, 0))
                row.due += 1
                row.done += action.status == "done"
                row.overdue += action.is_overdue(self.today)
                check = action.verification
                row.verified += check is not None and check.outcome == "effective"
                if action.is_open:
                    row.milestones_overdue += sum(
                        m.is_overdue(self.today) for m in action.milestones
                    )
        return [rows[k] for k in sorted(rows, reverse=True)]

    # Recurrence targets -----------------------------------------------------------------

    def targets(self) -> list[TargetRow]:
        rows = []
        for result in recurrence_results(self.state, self.settings):
            target = result.target
            summaries = [self.p.summary(self.state.incidents[i]) for i in result.incident_ids]
            rows.append(
                TargetRow(
                    tag=target.tag,
                    description=self.p.text(target.description) if target.description else None,
                    promise=self.t(
                        "reliability.target", max=target.max_incidents, quarters=target.quarters
                    ),
                    actual=self.t(
                        "reliability.target_actual",
                        count=len(result.incident_ids),
                        quarters=target.quarters,
                    ),
                    met=result.met,
                    incidents=[(s.url, s.title) for s in summaries],
                )
            )
        return rows
