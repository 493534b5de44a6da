"""Notifications: what `statuskit notify` sends, rendered per channel from the announce templates.

Every update, maintenance notice and published postmortem is an `Event` with a stable key
(`<incident>/u<n>`, `<incident>/postmortem`). A channel (`NotifyChannel` in the settings) wants an
event by its kind, the components it follows and the incident's severity; `Notifier` turns each
wanted event into one or more `Outgoing` messages whose `key` (channel and event) is what the
ledger records, so a message is sent once however often the command runs.

The words are those of `statuskit announce`: chat and social messages render `chat.j2` and
`social.j2`, email renders `email.j2` for the plain-text part and wraps the same text in the HTML
layout `templates/notify/email.html.j2`, and a postmortem renders `<channel>-postmortem.j2`.
Internal notes reach a message only through `ContextBuilder`, which gives them to the internal
audience alone, and a webhook carries them only for an internal channel.

Webhooks carry the JSON Atlassian Statuspage sends its webhook subscribers: `meta`, `page`, and
either `incident` (the API's incident object as of the update being announced, newest update
first) or `component_update` with `component`. Consumers written for Statuspage read them as they
are; a `statuskit` key adds the event, the audience and the locale, and `signature` is the
HMAC-SHA256 of the raw body that `X-Statuskit-Signature` carries.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup, escape

from ..core.model import Incident, Update
from ..core.settings import NotifyChannel, NotifySettings
from ..core.site import Site
from ..core.status import IncidentState
from ..views.pages import incident_src, page_url, postmortem_src
from .announcements import (
    AnnounceContext,
    ContextBuilder,
    Message,
    render_message,
    template_environment,
)
from .api import STATUS_DESCRIPTIONS, PageInfo, _ApiRenderer

# How a channel kind renders: the announce template it uses.
TEMPLATE_OF_KIND = {"chat": "chat", "social": "social", "email": "email"}
SIGNATURE_HEADER = "X-Statuskit-Signature"
# Message-IDs a reply keeps in References: the thread's first and its latest ones (RFC 5322).
REFERENCES_KEPT = 10
_URL = re.compile(r"(https?://[^\s<>\"]+[^\s<>\".,;:!?)\]」』、。])")


@dataclass(frozen=True, order=True)
class Event:
    """Something readers are told once: an update, a maintenance notice, a postmortem."""

    at: datetime
    incident_id: str
    order: int
    kind: str = field(compare=False)
    key: str = field(compare=False)

    @property
    def is_postmortem(self) -> bool:
        return self.kind == "postmortem"


def _touched(incident: Incident) -> set[str]:
    """Every component an incident names, at the start or in an update."""
    touched = set(incident.components)
    for update in incident.updates:
        touched.update(update.components)
    return touched


def collect_events(site: Site, now: datetime, max_age: timedelta | None) -> list[Event]:
    """Every published event up to `now`, oldest first; older than `max_age` is never sent.

    The age limit keeps a lost ledger from resending years of history: only what readers could
    still want to hear about goes out.
    """
    oldest = now - max_age if max_age else None
    events: list[Event] = []
    for state in site.state.incidents.values():
        incident = state.incident
        kind = "maintenance" if incident.is_maintenance else "incident"
        for update in incident.updates:
            if update.at <= now and (oldest is None or update.at >= oldest):
                key = f"{incident.id}/u{update.number + 1}"
                events.append(Event(update.at, incident.id, update.number, kind, key))
        postmortem = incident.published_postmortem
        if postmortem is not None and incident.updates:
            at = postmortem.published_at or state.last_update_at
            if at <= now and (oldest is None or at >= oldest):
                key = f"{incident.id}/postmortem"
                events.append(Event(at, incident.id, len(incident.updates), "postmortem", key))
    return sorted(events)


def wants(channel: NotifyChannel, incident: Incident, event: Event) -> bool:
    """Whether a channel follows this event: its kind, its components, its severities.

    Severities filter incidents only: a maintenance notice goes to every channel that takes
    `maintenance` events and follows one of its components.
    """
    if event.kind not in channel.events:
        return False
    if channel.components and not _touched(incident) & set(channel.components):
        return False
    return not (
        channel.severities
        and not incident.is_maintenance
        and incident.severity not in channel.severities
    )


@dataclass(frozen=True)
class Outgoing:
    """One message for one channel; `key` makes it once-only, in the ledger and for receivers."""

    channel: NotifyChannel
    event: Event
    key: str
    event_type: str
    subject: str
    body: str
    html: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        """One line for logs and the job summary."""
        return f"{self.channel.id}: {self.key} ({self.event_type}) {self.subject}"


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: `sha256=` and the hex HMAC-SHA256 of the raw body."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, body: bytes, header: str) -> bool:
    """What a receiver does with the header: compare in constant time."""
    return hmac.compare_digest(sign(secret, body), header)


# Email ------------------------------------------------------------------------------------


@cache
def _html_environment() -> jinja2.Environment:
    folder = str(resources.files("statuskit").joinpath("templates", "notify"))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["linkify"] = linkify
    return env


def linkify(text: str) -> Markup:
    """Plain text as HTML with its web addresses as links; everything else escaped."""
    parts: list[str] = []
    position = 0
    for match in _URL.finditer(text):
        parts.append(str(escape(text[position : match.start()])))
        url = escape(match.group(1))
        parts.append(f'<a href="{url}">{url}</a>')
        position = match.end()
    parts.append(str(escape(text[position:])))
    return Markup("".join(parts))


def blocks(text: str) -> list[list[str]]:
    """Paragraphs of a plain-text message, each as its lines."""
    return [block.split("\n") for block in re.split(r"\n\s*\n", text.strip()) if block.strip()]


@dataclass(frozen=True)
class EmailThread:
    """Stable Message-IDs, so one incident's emails thread in every mail client."""

    channel: str
    incident_id: str
    domain: str

    def message_id(self, part: str) -> str:
        return f"<statuskit.{self.channel}.{self.incident_id}.{part}@{self.domain}>"

    def headers(self, event: Event) -> dict[str, str]:
        """Message-ID; a reply names the message before it and, in References, the thread."""
        part = "postmortem" if event.is_postmortem else f"u{event.order + 1}"
        headers = {"Message-ID": self.message_id(part)}
        earlier = [self.message_id(f"u{n + 1}") for n in range(event.order)]
        if earlier:
            tail = earlier[-(REFERENCES_KEPT - 1) :]
            kept = earlier if len(earlier) <= REFERENCES_KEPT else [earlier[0], *tail]
            headers["In-Reply-To"] = earlier[-1]
            headers["References"] = " ".join(kept)
        return headers


def list_unsubscribe(address: str) -> dict[str, str]:
    """List-Unsubscribe (RFC 2369), with one-click (RFC 8058) when the address is a web page."""
    headers = {"List-Unsubscribe": f"<{address}>"}
    if address.startswith("https://"):
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers


# The notifier -----------------------------------------------------------------------------


class Notifier:
    """Renders events for one channel, on the site (locale path or mirror) its readers use."""

    def __init__(
        self,
        site: Site,
        channel: NotifyChannel,
        notify: NotifySettings,
        site_name: str,
        page_id: str,
        locale: str,
        base_url: str,
        env: jinja2.Environment | None = None,
    ) -> None:
        self.site = site
        self.settings = site.settings
        self.channel = channel
        self.notify = notify
        self.site_name = site_name
        self.locale = locale
        self.base_url = base_url.rstrip("/") + "/"
        self.domain = urlsplit(self.base_url).hostname or "statuskit.invalid"
        self.builder = ContextBuilder(self.settings, locale, site.state.now)
        self.env = env or template_environment(None, locale)
        self.page = PageInfo(
            id=page_id, name=site_name, url=self.base_url, time_zone=self.settings.timezone.key
        )
        self._api: _ApiRenderer | None = None

    def url(self, src_uri: str) -> str:
        return self.base_url + page_url(src_uri, self.settings.directory_urls)

    def state(self, event: Event) -> IncidentState:
        return self.site.state.incidents[event.incident_id]

    def wants(self, event: Event) -> bool:
        return wants(self.channel, self.state(event).incident, event)

    def keys(self, event: Event) -> list[str]:
        """The keys of the messages `render` makes for an event, without rendering them."""
        key = f"{self.channel.id}:{event.key}"
        if self.channel.kind != "webhook" or event.is_postmortem:
            return [key]
        return [key, *(f"{key}/{c['code']}" for c in self._changes(event))]

    def _changes(self, event: Event) -> list[dict[str, Any]]:
        """The component changes of an update a webhook channel reports, as the API lists them."""
        update_id = f"{event.incident_id}-u{event.order + 1}"
        api_update = next(
            u
            for u in self.api.incidents[event.incident_id]["incident_updates"]
            if u["id"] == update_id
        )
        changes: list[dict[str, Any]] = api_update["affected_components"] or []
        return [
            c
            for c in changes
            if not self.channel.components or c["code"] in self.channel.components
        ]

    def render(self, event: Event) -> list[Outgoing]:
        """Every message this channel sends for an event: one, or one per component changed."""
        if self.channel.kind == "webhook":
            return self._webhooks(event)
        message = self.message(event)
        key = f"{self.channel.id}:{event.key}"
        event_type = "incident.postmortem" if event.is_postmortem else f"{event.kind}.update"
        subject = message.subject or message.body.split("\n", 1)[0]
        if self.channel.kind != "email":
            return [Outgoing(self.channel, event, key, event_type, subject, message.body)]
        html = self._email_html(message)
        thread = EmailThread(self.channel.id, event.incident_id, self.domain)
        headers = {
            **thread.headers(event),
            **list_unsubscribe(self.unsubscribe),
            "List-Id": f"<{self.channel.id}.{self.domain}>",
            "Content-Language": self.locale,
            "Auto-Submitted": "auto-generated",
        }
        return [
            Outgoing(self.channel, event, key, event_type, subject, message.body, html, headers)
        ]

    @property
    def unsubscribe(self) -> str:
        """Where a reader stops these messages: the channel's, the site's, else a reply."""
        address = self.channel.unsubscribe or self.notify.unsubscribe
        if address:
            return address
        sender = self.notify.email_from or f"status@{self.domain}"
        sender = sender.rsplit("<", 1)[-1].rstrip(">").strip()
        return f"mailto:{sender}?subject=unsubscribe"

    def message(self, event: Event) -> Message:
        """The announce template's words for this event, channel kind, audience and locale."""
        state = self.state(event)
        info = self.builder.incident(state, self.channel.audience)
        template = TEMPLATE_OF_KIND[self.channel.kind]
        url = self.url(incident_src(event.incident_id))
        postmortem = None
        if event.is_postmortem:
            url = self.url(postmortem_src(event.incident_id))
            postmortem = self.builder.postmortem(state.incident, url)
        update = info.updates[min(event.order, len(info.updates) - 1)]
        context = AnnounceContext(
            channel=template,
            audience=self.channel.audience,
            locale=self.locale,
            url=url,
            site_name=self.site_name,
            as_of=self.builder.time(self.site.state.now),
            incident=info,
            update=update,
            postmortem=postmortem,
        )
        return render_message(self.env, context, self.builder.t)

    def _email_html(self, message: Message) -> str:
        t = self.builder.t
        template = _html_environment().get_template("email.html.j2")
        return template.render(
            lang=self.locale,
            subject=message.subject or "",
            blocks=blocks(message.body),
            url=message.url,
            view=t("notify.view"),
            site_name=self.site_name,
            why=t("notify.why", site=self.site_name),
            unsubscribe_url=self.unsubscribe,
            unsubscribe=t("notify.unsubscribe"),
        )

    # Statuspage webhooks ----------------------------------------------------------------

    @property
    def api(self) -> _ApiRenderer:
        """The Statuspage API objects of the channel's locale, shared by its payloads."""
        if self._api is None:
            self._api = _ApiRenderer(self.site, self.locale, self.base_url, self.page)
        return self._api

    def _base_payload(self, event_type: str, key: str, url: str) -> dict[str, Any]:
        indicator = self.site.state.indicator
        extension: dict[str, Any] = {
            "event": event_type,
            "key": key,
            "audience": self.channel.audience,
            "locale": self.locale,
            "url": url,
        }
        return {
            "meta": {
                "unsubscribe": self.channel.unsubscribe or self.notify.unsubscribe or self.base_url,
                "documentation": self.notify.documentation or self.base_url,
                "generated_at": self.api.time(self.site.state.now),
            },
            "page": {
                "id": self.page.id,
                "status_indicator": indicator,
                "status_description": STATUS_DESCRIPTIONS[indicator],
            },
            "statuskit": extension,
        }

    def _incident_as_of(self, event: Event) -> dict[str, Any]:
        """The API's incident object as it stood when this update was posted."""
        incident = dict(self.api.incidents[event.incident_id])
        if event.is_postmortem:
            return incident
        prefix = f"{event.incident_id}-u"
        updates = [
            u
            for u in incident["incident_updates"]
            if int(u["id"][len(prefix) :]) <= event.order + 1
        ]
        latest = updates[0]
        incident["incident_updates"] = updates
        incident["status"] = latest["status"]
        incident["updated_at"] = latest["created_at"]
        if latest["status"] not in ("resolved", "completed"):
            incident["resolved_at"] = None
        monitoring = [u["created_at"] for u in updates if u["status"] == "monitoring"]
        incident["monitoring_at"] = monitoring[-1] if monitoring else None
        return incident

    def _webhooks(self, event: Event) -> list[Outgoing]:
        state = self.state(event)
        incident = state.incident
        url = self.url(
            postmortem_src(incident.id) if event.is_postmortem else incident_src(incident.id)
        )
        internal = self.channel.audience == "internal" and incident.internal
        note = self.builder.text(incident.internal) if internal else None
        base_key = f"{self.channel.id}:{event.key}"
        event_type = "incident.postmortem" if event.is_postmortem else "incident.update"
        payload = self._base_payload(event_type, base_key, url)
        payload["incident"] = self._incident_as_of(event)
        if event.is_postmortem:
            info = self.builder.postmortem(incident, url)
            postmortem = incident.published_postmortem
            assert info is not None and postmortem is not None
            published = self.api.time(postmortem.published_at) if postmortem.published_at else None
            payload["incident"] |= {
                "postmortem_body": info.summary,
                "postmortem_body_last_updated_at": published,
                "postmortem_published_at": published,
                "postmortem_notified_subscribers": True,
            }
        if note:
            payload["statuskit"]["internal"] = note
        subject = str(payload["incident"]["name"])
        messages = [self._outgoing(event, base_key, event_type, subject, payload)]
        if event.is_postmortem:
            return messages
        update = incident.updates[event.order]
        for change in self._changes(event):
            messages.append(self._component_webhook(event, update, change, url))
        return messages

    def _component_webhook(
        self, event: Event, update: Update, change: dict[str, Any], url: str
    ) -> Outgoing:
        component_id = change["code"]
        key = f"{self.channel.id}:{event.key}/{component_id}"
        payload = self._base_payload("component.update", key, url)
        at = self.api.time(update.at)
        component = dict(self.api.components[component_id])
        component["status"] = change["new_status"]
        component["updated_at"] = at
        payload["component_update"] = {
            "created_at": at,
            "new_status": change["new_status"],
            "old_status": change["old_status"],
            "id": f"{event.incident_id}-u{event.order + 1}-{component_id}",
            "component_id": component_id,
        }
        payload["component"] = component
        subject = f"{change['name']}: {change['old_status']} → {change['new_status']}"
        return self._outgoing(event, key, "component.update", subject, payload)

    def _outgoing(
        self, event: Event, key: str, event_type: str, subject: str, payload: dict[str, Any]
    ) -> Outgoing:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-Statuskit-Event": event_type,
            "X-Statuskit-Delivery": key,
            "Idempotency-Key": key,
        }
        return Outgoing(self.channel, event, key, event_type, subject, body, None, headers)
