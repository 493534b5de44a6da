"""The options of the `statuskit` MkDocs plugin, declared as MkDocs config classes."""

from __future__ import annotations

from datetime import date, datetime

from mkdocs.config import base
from mkdocs.config import config_options as c

from ..core.settings import DEFAULT_UPDATE_CADENCE


def renamed(new: str, release: str) -> c.Deprecated:
    """An option that moved: its value is carried over, and the warning names the new option.

    `new` is the full path of the option under the plugin (`policies.x`); docs/upgrading.md lists
    every renamed option with the release that renamed it.
    """
    return c.Deprecated(
        moved_to=new.rsplit(".", 1)[-1],
        message=f"statuskit {release} renamed the option '{{}}' to '{new}'; rename it in "
        "mkdocs.yml (docs/upgrading.md lists every renamed option)",
    )


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
    description = c.Optional(c.Type((str, dict)))
    examples = c.ListOfItems(c.Type((str, dict)), default=[])
    first_notice_minutes = c.Optional(c.Type(int))
    update_minutes = c.Optional(c.Type(int))


class CategoryConfig(base.Config):
    """One kind of cause in the site's taxonomy; `name` may be a map of locale to text."""

    id = c.Type(str)
    name = c.Optional(c.Type((str, dict)))
    description = c.Optional(c.Type((str, dict)))


class RecurrenceTargetConfig(base.Config):
    """A promise about a root-cause tag: at most `max` incidents in the last `quarters`."""

    tag = c.Type(str)
    max = c.Type(int, default=0)
    quarters = c.Type(int, default=2)
    description = c.Optional(c.Type((str, dict)))


class PoliciesConfig(base.Config):
    """Communication practices checked on every incident (0 or an empty list turns one off)."""

    first_notice_minutes = c.Type(int, default=60)
    responsible_required_for = c.ListOfItems(c.Type(str), default=["critical", "major"])
    scope_required_for = c.ListOfItems(c.Type(str), default=[])
    default_cadence_minutes = c.Type(int, default=0)
    stale_update_minutes = renamed("policies.default_cadence_minutes", "0.2.0")
    future_tolerance_minutes = c.Type(int, default=10)
    missing_translation = c.Choice(("ignore", "warning", "error"), default="warning")
    as_errors = c.Type(bool, default=False)
    postmortem_due_days = c.Type(int, default=14)
    postmortem_required_for = c.ListOfItems(c.Type(str), default=["critical", "major"])
    levels = c.DictOfItems(c.Choice(("off", "warning", "error")), default={})
    open_without_update_hours = c.Type(int, default=72)
    update_cadence_minutes = c.DictOfItems(c.Type(int), default=dict(DEFAULT_UPDATE_CADENCE))
    long_running_hours = c.Type(int, default=24)
    lead_required_for = c.ListOfItems(c.Type(str), default=[])
    affected_required_for = c.ListOfItems(c.Type(str), default=[])


class MirrorConfig(base.Config):
    """A complete site for one locale at the root of its own domain."""

    id = c.Type(str)
    locale = c.Type(str)
    site_url = c.Type(str)
    timezone = c.Optional(c.Type(str))
    hreflang = c.Optional(c.Type(str))


class NotifyChannelConfig(base.Config):
    """Where `statuskit notify` sends updates; `url_env` names the variable holding the address."""

    id = c.Type(str)
    kind = c.Choice(("chat", "social", "email", "webhook"))
    url_env = c.Type(str)
    audience = c.Choice(("customer", "partner", "internal"), default="customer")
    locale = c.Optional(c.Type(str))
    mirror = c.Optional(c.Type(str))
    components = c.ListOfItems(c.Type(str), default=[])
    severities = c.ListOfItems(c.Type(str), default=[])
    events = c.ListOfItems(
        c.Choice(("incident", "maintenance", "postmortem")),
        default=["incident", "maintenance", "postmortem"],
    )
    secret_env = c.Optional(c.Type(str))
    unsubscribe = c.Optional(c.Type(str))


class NotifyConfig(base.Config):
    """Notification channels and delivery rules; secrets stay in environment variables."""

    channels = c.ListOfItems(c.SubConfig(NotifyChannelConfig), default=[])
    ledger = c.Type(str, default=".statuskit/notify-ledger.jsonl")
    max_age_hours = c.Type(int, default=24)
    email_from = c.Optional(c.Type(str))
    unsubscribe = c.Optional(c.Type(str))
    documentation = c.Optional(c.Type(str))


class SubscribeLinkConfig(base.Config):
    """A sign-up link shown under "Subscribe to updates": a mailing list, a chat community."""

    kind = c.Choice(("email", "chat", "other"), default="other")
    url = c.Type(str)
    name = c.Type((str, dict))
    description = c.Optional(c.Type((str, dict)))


class StatuskitConfig(base.Config):
    enabled = c.Type(bool, default=True)
    # Pages reused between builds (see adapter/cache.py); the folder is beside mkdocs.yml.
    cache = c.Type(bool, default=True)
    cache_dir = c.Type(str, default=".cache/statuskit")
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
    # The site's name and description per locale (`{ko: ..., ja: ...}`); mkdocs.yml's own
    # `site_name` and `site_description` serve the locales not listed.
    site_name = c.DictOfItems(c.Type(str), default={})
    site_description = c.DictOfItems(c.Type(str), default={})
    policies = c.SubConfig(PoliciesConfig)
    compensation = c.Type(dict, default={})
    categories = c.ListOfItems(c.SubConfig(CategoryConfig), default=[])
    feedback_url = c.Optional(c.Type(str))
    late_notice = c.Optional(c.Type((str, dict)))
    name_provider = c.DictOfItems(c.Type(bool), default={})
    recurrence_targets = c.ListOfItems(c.SubConfig(RecurrenceTargetConfig), default=[])
    notify = c.SubConfig(NotifyConfig)
    subscribe = c.ListOfItems(c.SubConfig(SubscribeLinkConfig), default=[])
