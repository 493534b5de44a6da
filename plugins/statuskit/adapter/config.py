"""The options of the `statuskit` MkDocs plugin, declared as MkDocs config classes."""

from __future__ import annotations

from datetime import date, datetime

from mkdocs.config import base
from mkdocs.config import config_options as c


class ComponentConfig(base.Config):
    """A component customers follow; `name` and `description` may be maps of locale to text."""

    id = c.Type(str)
    name = c.Type((str, dict))
    description = c.Optional(c.Type((str, dict)))
    group = c.Optional(c.Type(str))
    showcase = c.Type(bool, default=True)
    only_show_if_degraded = c.Type(bool, default=False)
    start_date = c.Optional(c.Type((str, date)))


class GroupConfig(base.Config):
    id = c.Type(str)
    name = c.Type((str, dict))
    description = c.Optional(c.Type((str, dict)))


class SeverityConfig(base.Config):
    """One level of the site's severity scale; `impact` maps it to Statuspage's incident impact."""

    id = c.Type(str)
    name = c.Type((str, dict))
    color = c.Choice(("red", "orange", "blue", "green"))
    impact = c.Choice(("critical", "major", "minor", "none"))


class PoliciesConfig(base.Config):
    """Communication practices checked on every incident (0 or an empty list turns one off)."""

    first_notice_minutes = c.Type(int, default=60)
    responsible_required_for = c.ListOfItems(c.Type(str), default=["critical", "major"])
    scope_required_for = c.ListOfItems(c.Type(str), default=[])
    stale_update_minutes = c.Type(int, default=0)
    future_tolerance_minutes = c.Type(int, default=10)
    missing_translation = c.Choice(("ignore", "warning", "error"), default="warning")
    as_errors = c.Type(bool, default=False)
    postmortem_due_days = c.Type(int, default=14)
    postmortem_required_for = c.ListOfItems(c.Type(str), default=["critical", "major"])
    levels = c.DictOfItems(c.Choice(("off", "warning", "error")), default={})
    open_without_update_hours = c.Type(int, default=72)


class MirrorConfig(base.Config):
    """A complete site for one locale at the root of its own domain."""

    id = c.Type(str)
    locale = c.Type(str)
    site_url = c.Type(str)
    timezone = c.Optional(c.Type(str))
    hreflang = c.Optional(c.Type(str))


class StatuskitConfig(base.Config):
    enabled = c.Type(bool, default=True)
    page_id = c.Type(str, default="")
    raw_html = c.Choice(("sanitize", "allow"), default="sanitize")
    incidents_dir = c.Type(str, default="incidents")
    components = c.ListOfItems(c.SubConfig(ComponentConfig), default=[])
    groups = c.ListOfItems(c.SubConfig(GroupConfig), default=[])
    severities = c.ListOfItems(c.SubConfig(SeverityConfig), default=[])
    timezone = c.Type(str, default="UTC")
    timezones = c.DictOfItems(c.Type(str), default={})
    mirrors = c.ListOfItems(c.SubConfig(MirrorConfig), default=[])
    locale = c.Optional(c.Type(str))
    locales = c.ListOfItems(c.Type(str), default=[])
    catalog_dir = c.Type(str, default="locales")
    now = c.Optional(c.Type((str, datetime)))
    page_size = c.Type(int, default=20)
    uptime_days = c.Type(int, default=90)
    home_history_days = c.Type(int, default=7)
    policies = c.SubConfig(PoliciesConfig)
    compensation = c.Type(dict, default={})
