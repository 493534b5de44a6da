"""The compensation policy: tiers by severity and duration, and what an incident's customers get."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from .documents import text_of
from .model import Text


@dataclass(frozen=True)
class Tier:
    """One rung of the policy: which incidents qualify and what they give."""

    id: str
    name: Text
    severities: tuple[str, ...]
    min_minutes: int
    credit_percent: float | None
    benefit: Text | None

    def applies(self, severity: str, duration: timedelta) -> bool:
        in_scope = not self.severities or severity in self.severities
        return in_scope and duration >= timedelta(minutes=self.min_minutes)


@dataclass(frozen=True)
class CompensationPolicy:
    """A site-wide promise, published as its own page and applied to each incident."""

    tiers: list[Tier] = field(default_factory=list)
    description: Text | None = None
    eligible: Text | None = None
    exclusions: Text | None = None
    claim: Text | None = None

    def __bool__(self) -> bool:
        return bool(self.tiers)

    def tier(self, tier_id: str) -> Tier | None:
        return next((t for t in self.tiers if t.id == tier_id), None)

    def tier_for(self, severity: str, duration: timedelta) -> Tier | None:
        """The most generous tier the incident reaches: the longest qualifying duration wins."""
        qualifying = [t for t in self.tiers if t.applies(severity, duration)]
        return max(qualifying, key=lambda t: (t.min_minutes, t.credit_percent or 0), default=None)


_TIER_KEYS = {"id", "name", "severities", "min_minutes", "credit_percent", "benefit"}
_POLICY_KEYS = {"tiers", "description", "eligible", "exclusions", "claim"}


def policy_from_options(data: dict[str, Any], default_locale: str) -> CompensationPolicy:
    """The policy from the plugin's `compensation` option; ValueError says what is wrong."""
    unknown = set(data) - _POLICY_KEYS
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(sorted(unknown))} under `compensation`")

    def text(value: Any) -> Text | None:
        return text_of(value, default_locale) if value is not None else None

    tiers = []
    for n, raw in enumerate(data.get("tiers") or []):
        if not isinstance(raw, dict) or "id" not in raw or "name" not in raw:
            raise ValueError(f"compensation tier {n + 1} needs at least `id` and `name`")
        extra = set(raw) - _TIER_KEYS
        if extra:
            raise ValueError(f"unknown key(s) {', '.join(sorted(extra))} in tier {raw['id']!r}")
        if raw.get("credit_percent") is None and raw.get("benefit") is None:
            raise ValueError(f"tier {raw['id']!r} needs `credit_percent` or `benefit`")
        try:
            minutes = int(raw.get("min_minutes", 0))
            credit = None if raw.get("credit_percent") is None else float(raw["credit_percent"])
        except (TypeError, ValueError):
            raise ValueError(
                f"tier {raw['id']!r}: min_minutes and credit_percent are numbers"
            ) from None
        tiers.append(
            Tier(
                id=str(raw["id"]),
                name=text_of(raw["name"], default_locale),
                severities=tuple(str(s) for s in raw.get("severities") or ()),
                min_minutes=minutes,
                credit_percent=credit,
                benefit=text(raw.get("benefit")),
            )
        )
    return CompensationPolicy(
        tiers=tiers,
        description=text(data.get("description")),
        eligible=text(data.get("eligible")),
        exclusions=text(data.get("exclusions")),
        claim=text(data.get("claim")),
    )
