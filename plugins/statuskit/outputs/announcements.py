"""Announcements: one incident becomes the message for every channel and audience.

What customers read on social media, in email, in chat and on the status page comes from the same
incident data, so the channels never disagree. Each channel has a Jinja template; a repository
overrides one by putting a file of the same name in `announce/` beside its mkdocs.yml.

Template lookup, most specific name first, and for one name the repository's before statuskit's:
`<channel>.<locale>.j2` (e.g. `social.en-AU.j2`), `<channel>.<language>.j2` (`social.en.j2`),
then `<channel>.j2`. The shipped templates are one per channel and take every word from the
site's catalog (`t("key")`), so a new locale needs only its catalog file. Filters: `plain`
(markdown as plain text), `oneline` (whitespace as single spaces), `series` (a list in the
locale's words: "A, B, and C", "A、B、C").

Templates receive plain data built here (`AnnounceContext`); the `internal` notes are only in it
for the internal audience, so no template, shipped or overridden, can leak them to customers or
partners. Output is plain text or markdown, never HTML: templates are rendered without escaping.

Social posts fit `SOCIAL_LIMIT` (280) counted the strictest way any network counts: characters
outside Latin and other narrow scripts (Korean, Japanese, Chinese, emoji) count 2 as on X, and a
link counts its full length, never less than 23 (X and Mastodon count 23, Bluesky what it
shows). The text before the link is cut at a word with an ellipsis; the link is never cut.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path

import jinja2
from babel import Locale, UnknownLocaleError
from babel.lists import format_list

from ..core.i18n import Catalog
from ..core.model import Incident, Localized, Text, Update
from ..core.settings import PROVIDER_CHANNELS, Settings
from ..core.status import IncidentState
from ..views.formatting import Formatter
from ..views.markup import MarkdownRenderer
from ..views.pages import component_changes
from ..views.practice import (
    affected_sentence,
    category_label,
    promise_lines,
    promise_view,
    provider_view,
)

CHANNELS = ("status", "email", "social", "chat")
AUDIENCES = ("customer", "partner", "internal")
TEMPLATE_DIR = "announce"
SOCIAL_LIMIT = 280
# X counts a link as 23 characters whatever its length; we never count a link as less.
LINK_WEIGHT = 23
ELLIPSIS = "…"


class AnnounceError(ValueError):
    """A message that cannot be made as asked: a template without a subject, an overlong link."""


def language_of(locale: str) -> str:
    """The language of a locale (`en` of `en-AU`), for matching a mirror or a template."""
    return locale.replace("_", "-").split("-")[0]


# Plain text -------------------------------------------------------------------------------


@cache
def _renderer() -> MarkdownRenderer:
    return MarkdownRenderer()


def plain(markdown: str) -> str:
    """Markdown as readable plain text, for channels that show no formatting (social, email)."""
    return _renderer().plain(markdown)


def oneline(text: str) -> str:
    """All whitespace as single spaces: for a field on one line of a message."""
    return " ".join(text.split())


# Social length ----------------------------------------------------------------------------

# Code points X counts as 1 (twitter-text v3); every other code point counts 2.
_NARROW = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
_URLISH = re.compile(
    r"https?://\S+|(?<![\w@.-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}(?:/\S*)?",
    re.IGNORECASE,
)


def _weight(char: str) -> int:
    """What X counts for one code point: 1 for narrow scripts, 2 for the rest."""
    code = ord(char)
    return 1 if any(low <= code <= high for low, high in _NARROW) else 2


def social_length(text: str) -> int:
    """Length of a post as the strictest network counts it; at most SOCIAL_LIMIT fits anywhere."""
    text = unicodedata.normalize("NFC", text)
    total, position = 0, 0
    for match in _URLISH.finditer(text):
        total += sum(_weight(c) for c in text[position : match.start()])
        total += max(LINK_WEIGHT, len(match.group(0)))
        position = match.end()
    return total + sum(_weight(c) for c in text[position:])


# Punctuation left dangling before the ellipsis: ASCII, dashes, CJK comma, full stop and comma.
_TRAILING_PUNCTUATION = " ,.;:-\u2014\u2013\u3001\u3002\uff0c"


def _cut(text: str, keep: int) -> str:
    """The first `keep` characters, back to a word boundary when one is near, with an ellipsis."""
    if keep <= 0:
        return ""
    head = text[:keep].rstrip()
    space = max(head.rfind(" "), head.rfind("\n"))
    mid_word = keep < len(text) and not text[keep].isspace()
    if mid_word and space > keep * 0.6:
        head = head[:space].rstrip()
    return head.rstrip(_TRAILING_PUNCTUATION) + ELLIPSIS


def fit_social(text: str, link: str, limit: int = SOCIAL_LIMIT) -> str:
    """The post shortened to `limit`: the text before the link is cut, never the link."""
    text = unicodedata.normalize("NFC", text.strip())
    if link not in text:
        text = f"{text} {link}" if text else link
    if social_length(text) <= limit:
        return text
    if social_length(link) > limit:
        raise AnnounceError(
            f"the link {link} alone is over {limit} characters; use a shorter site_url"
        )
    before, _, after = text.rpartition(link)
    lead = before.rstrip()
    gap = before[len(lead) :]
    # The whitespace between the text and the link: its line breaks, else one space.
    separator = "\n" * gap.count("\n") or (" " if gap or lead else "")

    def with_lead(keep: int) -> str:
        cut = _cut(lead, keep) if keep < len(lead) else lead
        return f"{cut}{separator}{link}{after}" if cut else f"{link}{after}"

    low, high = 0, len(lead)
    while low < high:  # the longest lead that fits; length grows with what is kept
        middle = (low + high + 1) // 2
        if social_length(with_lead(middle)) <= limit:
            low = middle
        else:
            high = middle - 1
    post = with_lead(low)
    if social_length(post) <= limit:
        return post
    # Even without any lead the text after the link is too long: cut that too.
    tail = after.strip()
    low, high = 0, len(tail)
    while low < high:
        middle = (low + high + 1) // 2
        if social_length(f"{link} {_cut(tail, middle)}") <= limit:
            low = middle
        else:
            high = middle - 1
    return f"{link} {_cut(tail, low)}".rstrip() if low else link


# Context ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class UpdateInfo:
    """One update as templates show it: localized, with its time in the reader's zone."""

    at: str
    at_iso: str
    status: str
    status_label: str
    body: str
    provisional: bool
    changes: list[str]


@dataclass(frozen=True)
class IncidentInfo:
    """What templates may say about an incident; `internal` is set for internal readers only."""

    id: str
    kind: str
    kind_label: str
    is_maintenance: bool
    is_open: bool
    title: str
    status: str
    status_label: str
    severity: str
    severity_label: str
    category_label: str
    started: str
    detected: str
    resolved: str
    duration: str
    window_start: str
    window_end: str
    components: list[str]
    regions: list[str]
    scope: str
    workaround: str
    summary: str
    responsible: str
    updates: list[UpdateInfo]
    internal: str | None
    source: str | None
    # The practice: who is affected, who speaks, what is promised, where to give feedback.
    affected: str = ""
    lead: str = ""
    signer: str = ""
    promise: list[str] = field(default_factory=list)
    late: bool = False
    provider: dict[str, str] = field(default_factory=dict)
    provider_url: str = ""
    feedback_url: str = ""


@dataclass(frozen=True)
class PostmortemInfo:
    """A published postmortem as its announcement shows it: rendered by `<channel>-postmortem`."""

    url: str
    published: str
    summary: str
    signed: str


@dataclass(frozen=True)
class AnnounceContext:
    """Everything a channel template receives."""

    channel: str
    audience: str
    locale: str
    url: str
    site_name: str
    as_of: str
    incident: IncidentInfo
    update: UpdateInfo
    postmortem: PostmortemInfo | None = None


@dataclass(frozen=True)
class Message:
    """A rendered message: email has a subject, every channel a body."""

    channel: str
    audience: str
    locale: str
    url: str
    subject: str | None
    body: str

    @property
    def length(self) -> int:
        return social_length(self.body) if self.channel == "social" else len(self.body)

    def text(self) -> str:
        """The message as printed: an email starts with its Subject header."""
        if self.subject is None:
            return self.body
        return f"Subject: {self.subject}\n\n{self.body}"


class ContextBuilder:
    """Turns an incident and its derived state into plain, localized data for one audience."""

    def __init__(self, settings: Settings, locale: str, now: datetime) -> None:
        self.settings = settings
        self.locale = locale
        self.t = settings.catalog(locale)
        self.fmt = Formatter(locale, settings.timezone)
        self.now = now

    def text(self, value: Text | None) -> str:
        return value.get(self.locale, self.settings.locale).text.strip() if value else ""

    def time(self, value: datetime | None) -> str:
        return self.fmt.time(value).text if value else ""

    def component_name(self, component_id: str) -> str:
        component = self.settings.component(component_id)
        return self.text(component.name) if component else component_id

    def component(self, component_id: str, planned: str, state: IncidentState) -> str:
        """A component with its status now (open), its planned impact (upcoming), or bare."""
        name = self.component_name(component_id)
        if state.is_open:
            impact = state.impacts.get(component_id, "operational")
        elif state.is_upcoming:
            impact = "under_maintenance" if planned == "operational" else planned
        else:
            return name
        return self.t("announce.component", component=name, status=self.t(f"status.{impact}"))

    def update(self, update: Update) -> UpdateInfo:
        return UpdateInfo(
            at=self.fmt.time(update.at).text,
            at_iso=update.at.isoformat(),
            status=update.status,
            status_label=self.t(f"incident_status.{update.status}"),
            body=self.text(update.body),
            provisional=update.provisional,
            changes=component_changes(self.t, self.component_name, update),
        )

    def incident(self, state: IncidentState, audience: str) -> IncidentInfo:
        incident: Incident = state.incident
        severity = self.settings.severity(incident.severity)
        affected = dict(incident.components)
        for item in incident.updates:
            for component, impact in item.components.items():
                affected.setdefault(component, impact)
        responsible = ""
        if incident.responsible:
            responsible = self.t(
                "incident.signed",
                name=self.text(incident.responsible.name),
                role=self.text(incident.responsible.role),
            )
        internal = audience == "internal"
        lead = ""
        if incident.lead:
            lead = self.t(
                "incident.signed",
                name=self.text(incident.lead.name),
                role=self.text(incident.lead.role),
            )
        promise = None
        if state.is_open:
            promise = promise_view(incident, self.settings, self.now, self.t, self.fmt, self.locale)
        providers = {
            channel: view.label
            for channel in PROVIDER_CHANNELS
            if (view := provider_view(incident, self.settings, channel, self.t, self._text))
        }
        return IncidentInfo(
            id=incident.id,
            kind=incident.kind,
            kind_label=self.t(f"kind.{incident.kind}"),
            is_maintenance=incident.is_maintenance,
            is_open=state.is_open or state.is_upcoming,
            title=self.text(incident.title),
            status=state.status,
            status_label=self.t(f"incident_status.{state.status}"),
            severity=incident.severity,
            severity_label=self.text(severity.name) if severity else "",
            category_label=category_label(self.settings, incident.category, self.t, self._text),
            started=self.time(state.start),
            detected=self.time(incident.detected_at),
            resolved=self.time(state.resolved_at),
            duration=self.fmt.duration(state.duration(self.now)),
            window_start=self.time(incident.scheduled_for),
            window_end=self.time(incident.scheduled_until),
            components=[self.component(c, i, state) for c, i in affected.items()],
            regions=list(incident.regions),
            scope=self.text(incident.scope),
            workaround=self.text(incident.workaround),
            summary=self.text(incident.body),
            responsible=responsible,
            updates=[self.update(u) for u in incident.updates],
            # The one place internal notes enter a message: never for customers or partners.
            internal=(self.text(incident.internal) or None) if internal else None,
            source=_shown(incident.path) if internal else None,
            affected=affected_sentence(incident.affected, self.t, self.fmt, self._text) or "",
            lead=lead,
            # Messages are signed by the person who speaks for the incident: the lead, else
            # the accountable person.
            signer=lead or responsible,
            promise=promise_lines(promise, self.t),
            late=promise is not None and promise.late,
            provider=providers,
            provider_url=(incident.provider.status_url or "") if incident.provider else "",
            feedback_url=self.settings.feedback_link(incident.id) or "",
        )

    def _text(self, value: Text) -> Localized:
        return value.get(self.locale, self.settings.locale)

    def postmortem(self, incident: Incident, url: str) -> PostmortemInfo | None:
        """The incident's published postmortem, or None while it is a draft or missing."""
        postmortem = incident.published_postmortem
        if postmortem is None:
            return None
        signer = postmortem.signed_by or incident.responsible
        signed = ""
        if signer is not None:
            signed = self.t(
                "incident.signed", name=self.text(signer.name), role=self.text(signer.role)
            )
        return PostmortemInfo(
            url=url,
            published=self.time(postmortem.published_at),
            summary=self.text(postmortem.summary),
            signed=signed,
        )


def _shown(path: Path) -> str:
    """A file path as the team knows it: relative to the current folder when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# Rendering --------------------------------------------------------------------------------


def template_environment(site_dir: Path | None, locale: str = "en") -> jinja2.Environment:
    """Templates of the repository (`announce/` beside mkdocs.yml) over the shipped ones."""
    shipped = str(resources.files("statuskit").joinpath("templates", TEMPLATE_DIR))
    loaders: list[jinja2.BaseLoader] = []
    if site_dir is not None and (site_dir / TEMPLATE_DIR).is_dir():
        loaders.append(jinja2.FileSystemLoader(str(site_dir / TEMPLATE_DIR)))
    loaders.append(jinja2.FileSystemLoader(shipped))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        # Messages are plain text and markdown, never HTML: nothing to escape.
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["plain"] = plain
    env.filters["oneline"] = oneline
    env.filters["series"] = lambda items: format_list(list(items), locale=_babel_locale(locale))
    return env


def _babel_locale(locale: str) -> str:
    """Babel's name of a locale; a locale Babel does not know lists in English."""
    name = locale.replace("-", "_")
    try:
        Locale.parse(name)
    except (ValueError, UnknownLocaleError):
        return "en"
    return name


def template_names(channel: str, locale: str) -> list[str]:
    """Names tried for a channel, most specific first."""
    names = [f"{channel}.{locale}.j2", f"{channel}.{language_of(locale)}.j2", f"{channel}.j2"]
    return list(dict.fromkeys(names))


_BLANK_LINES = re.compile(r"\n{3,}")


def _tidy(text: str) -> str:
    """Trailing spaces and runs of blank lines that template conditions leave, removed."""
    lines = [line.rstrip() for line in text.strip().split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines))


def render_message(env: jinja2.Environment, context: AnnounceContext, t: Catalog) -> Message:
    """Render one channel: a social post is fitted to the limit, an email must have a subject."""
    name = f"{context.channel}-postmortem" if context.postmortem else context.channel
    template = env.select_template(template_names(name, context.locale))
    values = {field: getattr(context, field) for field in context.__dataclass_fields__}
    module = template.make_module({**values, "t": t})
    body = _tidy(str(module))
    subject: str | None = None
    if context.channel == "email":
        subject = oneline(str(getattr(module, "subject", "")))
        if not subject:
            raise AnnounceError(
                f"{template.filename}: an email template must set `subject` "
                "({% set subject %}...{% endset %})"
            )
    if context.channel == "social":
        body = fit_social(body, context.url)
    return Message(context.channel, context.audience, context.locale, context.url, subject, body)
