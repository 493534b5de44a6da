"""The reliability figures as terminal text: the same numbers the reliability page shows."""

from __future__ import annotations

from ..core.reliability import UPTIME_WINDOWS, Durations, Report
from ..core.settings import Settings
from ..views.formatting import Formatter
from ..views.practice import category_label


def render_stats(report: Report, settings: Settings, locale: str) -> str:
    """A plain-text report for `statuskit stats`, in one locale."""
    t = settings.catalog(locale)
    fmt = Formatter(locale, settings.timezone)

    def duration(value: Durations) -> str:
        if value.median is None or value.worst is None:
            return "—"
        return (
            f"{t('reliability.median')} {fmt.duration(value.median)}, "
            f"{t('reliability.worst')} {fmt.duration(value.worst)} (n={value.count})"
        )

    lines = [t("reliability.title"), t("prevention.as_of", date=fmt.day(report.today)), ""]
    lines.append(
        f"{t('reliability.uptime')}: "
        + ", ".join(t("reliability.days", days=d) for d in UPTIME_WINDOWS)
    )
    for component in sorted(settings.components, key=lambda c: c.position):
        figures = report.uptime.get(component.id, {})
        cells = [
            fmt.percent(v) if (v := figures.get(d)) is not None else "—" for d in UPTIME_WINDOWS
        ]
        name = component.name.get(locale, settings.locale).text
        lines.append(f"  {name:<32} " + "  ".join(f"{c:>8}" for c in cells))
    lines += ["", t("reliability.by_quarter")]
    severities = [(s.id, s.name.get(locale, settings.locale).text) for s in settings.severities]
    for quarter in report.quarters:
        counts = ", ".join(
            f"{label} {quarter.by_severity[sid]}"
            for sid, label in severities
            if quarter.by_severity[sid]
        )
        categories = ", ".join(
            f"{category_label(settings, c, t, lambda v: v.get(locale, settings.locale))} {n}"
            for c, n in sorted(quarter.by_category.items())
        )
        lines.append(f"  {quarter.name}: {t('reliability.incidents', count=quarter.incidents)}")
        lines.append(f"    {counts}" + (f" · {categories}" if categories else ""))
        lines.append(f"    {t('reliability.detect')}: {duration(quarter.detect)}")
        lines.append(f"    {t('reliability.first_notice')}: {duration(quarter.first_notice)}")
        lines.append(f"    {t('reliability.resolve')}: {duration(quarter.resolve)}")
    lines += ["", t("reliability.recurrences")]
    if not report.recurrences:
        lines.append(f"  {t('reliability.no_recurrences')}")
    for tag, ids in report.recurrences.items():
        lines.append(f"  {tag}: {', '.join(ids)}")
    if report.targets:
        lines += ["", t("reliability.targets")]
    for result in report.targets:
        target = result.target
        verdict = t("reliability.target_met" if result.met else "reliability.target_missed")
        promise = t("reliability.target", max=target.max_incidents, quarters=target.quarters)
        actual = t(
            "reliability.target_actual", count=len(result.incident_ids), quarters=target.quarters
        )
        lines.append(f"  {target.tag}: {promise} · {actual} · {verdict}")
    lines += ["", t("prevention.title")]
    completion = report.completion
    summary = [t("prevention.open_count", count=len(report.open_actions))]
    summary.append(t("prevention.overdue_count", count=len(report.overdue)))
    if completion is not None:
        summary.append(t("prevention.completion", percent=fmt.share(completion)))
    lines.append("  " + " · ".join(summary))
    for item in report.overdue:
        action = item.action
        due = fmt.day(action.due) if action.due else "—"
        title = action.title.get(locale, settings.locale).text
        lines.append(
            f"  {t('action.overdue')}: {item.incident_id} {action.id} {title} "
            f"({t('action.owner')}: {action.owner or '—'}, {t('action.due')}: {due})"
        )
    return "\n".join(lines) + "\n"
