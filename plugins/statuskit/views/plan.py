"""Every page of a site for one locale: the status pages and the accountability pages together."""

from __future__ import annotations

from ..core.site import Site
from .memo import ViewMemo
from .pages import PagePlanner, SitePlan
from .postmortem_pages import AccountabilityPlanner
from .practice_pages import PracticePlanner


def plan_site(site: Site, locale: str | None = None, memo: ViewMemo | None = None) -> SitePlan:
    """Every page for one locale; call once per locale build (with the memo of the last one)."""
    planner = PagePlanner(site.settings, site.state, locale or site.settings.build_locale, memo)
    plan = planner.plan()
    AccountabilityPlanner(planner).extend(plan)
    PracticePlanner(planner).extend(plan)
    if memo is not None:
        memo.seal()
    return plan
