"""`statuskit notify`: send every update, notice and postmortem new since the last run, once.

What to send comes from `outputs/notifications.py`; this module sends it and remembers it:

- **The ledger** (JSON lines, `notify.ledger` in mkdocs.yml or `--ledger`) holds the key of
  every message a channel confirmed. A message whose key is in it is never sent again; each
  confirmed send is appended and flushed at once, so a run that is killed loses at most the
  message it was sending.
- **A lock** (`<ledger>.lock`, an exclusive `flock`) makes a second run wait for the first and
  then read what it recorded: running twice at once never sends anything twice.
- **Retries**: a failed send is tried again after `backoff`, twice that, and so on (`--retries`
  times); what still fails is reported, in the job summary too, and sent by the next run. The
  command exits 0 unless `--strict`, so notifications never hold back a deploy.

Chat and social channels go through Apprise (one URL each: Slack, Teams, Discord, Telegram,
Mattermost, Matrix, JSON webhooks...). Email goes through the standard library's smtplib,
because Apprise sets its own random Message-ID and cannot thread messages; Statuspage-compatible
webhooks are POSTed with urllib so that the body is exactly the JSON that was signed.
"""

from __future__ import annotations

import json
import logging
import os
import smtplib
import ssl
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, getaddresses, parseaddr
from functools import partial
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import click

from ..core.problems import ValidationFailed, display_path
from ..core.settings import NotifyChannel, Settings
from ..core.site import Site, load_site
from ..outputs.announcements import AnnounceError, template_environment
from ..outputs.notifications import (
    SIGNATURE_HEADER,
    Event,
    Notifier,
    Outgoing,
    collect_events,
    sign,
)
from .announce import target_settings
from .config import config_option, load_settings

LOCK_POLL_SECONDS = 0.1
MAX_DELAY_SECONDS = 60.0


class SendError(Exception):
    """A send that did not go through; `permanent` when trying again cannot help."""

    def __init__(self, reason: str, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


# The ledger and its lock ------------------------------------------------------------------


@dataclass
class Ledger:
    """Keys of the messages channels confirmed: one JSON line each, appended as it is confirmed.

    Appending keeps each write small however long the history (a rewrite per send would grow
    with it), and a line is written whole or, if the run is killed in the middle, not at all: a
    last line cut short is dropped, and its message is sent once more.
    """

    path: Path
    sent: dict[str, dict[str, str]] = field(default_factory=dict)
    # Before the next append: the length to cut the file to, and what to write first.
    repair: tuple[int, bytes] | None = None

    @classmethod
    def load(cls, path: Path) -> Ledger:
        if not path.exists():
            return cls(path)
        data = path.read_bytes()
        sent: dict[str, dict[str, str]] = {}
        position, number = 0, 0
        repair: tuple[int, bytes] | None = None
        while position < len(data):
            end = data.find(b"\n", position)
            line = data[position : len(data) if end < 0 else end]
            number += 1
            if line.strip():
                try:
                    entry = json.loads(line)
                    key = entry["key"]
                    if not isinstance(key, str):
                        raise TypeError("`key` is not a string")
                    sent[key] = {str(k): str(v) for k, v in entry.items()}
                except (ValueError, KeyError, TypeError) as exc:
                    if end >= 0:
                        raise click.ClickException(
                            f"{display_path(path)}:{number}: not a line of a statuskit "
                            f"notification ledger ({exc}); restore the file from its branch, "
                            "or move it away to start a new one (updates up to "
                            "notify.max_age_hours old are then sent again)"
                        ) from None
                    click.echo(
                        f"warning: {display_path(path)}:{number}: the last line was cut short "
                        "(a run was stopped while writing it); its message is sent again",
                        err=True,
                    )
                    repair = (position, b"")
            position = len(data) if end < 0 else end + 1
        if repair is None and data and not data.endswith(b"\n"):
            repair = (len(data), b"\n")  # a whole last line without its newline: add one
        return cls(path, sent, repair)

    def has(self, key: str) -> bool:
        return key in self.sent

    def record(self, outgoing: Outgoing, when: datetime) -> None:
        """Remember a confirmed send: one line appended and flushed to disk at once."""
        entry = {
            "key": outgoing.key,
            "channel": outgoing.channel.id,
            "event": outgoing.event.key,
            "type": outgoing.event_type,
            "sent_at": when.isoformat(timespec="seconds"),
        }
        self.sent[outgoing.key] = entry
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("ab") as handle:
            if self.repair is not None:
                length, prefix = self.repair
                handle.truncate(length)
                handle.write(prefix)
                self.repair = None
            handle.write(json.dumps(entry, ensure_ascii=False).encode("utf-8") + b"\n")
            handle.flush()
            os.fsync(handle.fileno())


@contextmanager
def locked(path: Path, timeout: float) -> Iterator[None]:
    """Hold `<ledger>.lock` exclusively; wait up to `timeout` seconds for another run."""
    import fcntl  # POSIX; the lock is what keeps two runs from sending the same message

    lock = path.with_name(path.name + ".lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout
    with lock.open("a") as handle:
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise click.ClickException(
                        f"{display_path(lock)} is held by another `statuskit notify` for over "
                        f"{timeout:g} s; it sends the same messages, so this run stops"
                    ) from None
                time.sleep(LOCK_POLL_SECONDS)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


# Senders ----------------------------------------------------------------------------------


def _user_agent() -> str:
    try:
        return f"statuskit/{version('statuskit')}"
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "statuskit"


class _Captured(logging.Handler):
    """Apprise's warnings during one send: the reason a send failed."""

    def __init__(self, level: int) -> None:
        super().__init__(level)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def send_apprise(address: str, outgoing: Outgoing) -> None:
    """A chat or social message through Apprise; its log says why a send failed.

    Apprise's own timeouts apply (the URL's `cto` and `rto`, 4 seconds each by default).
    """
    import apprise

    notifier = apprise.Apprise()
    if not notifier.add(address):
        raise SendError(
            f"Apprise does not understand the address in ${outgoing.channel.url_env} "
            "(see https://github.com/caronc/apprise/wiki for each service's URL)",
            permanent=True,
        )
    body_format = (
        apprise.NotifyFormat.MARKDOWN
        if outgoing.channel.kind == "chat"
        else apprise.NotifyFormat.TEXT
    )
    captured = _Captured(logging.WARNING)
    logger = logging.getLogger(apprise.LOGGER_NAME)
    logger.addHandler(captured)
    try:
        ok = notifier.notify(body=outgoing.body, title="", body_format=body_format)
    finally:
        logger.removeHandler(captured)
    if not ok:
        lines = captured.messages
        raise SendError(lines[-1] if lines else "Apprise could not send it")


@dataclass(frozen=True)
class SmtpAddress:
    """An email channel's address: `smtp[s]://[user:password@]host[:port]?to=...&from=...`."""

    host: str
    port: int
    mode: str
    user: str | None
    password: str | None
    recipients: list[str]
    sender: str | None

    @classmethod
    def parse(cls, address: str, env: str) -> SmtpAddress:
        parts = urlsplit(address)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise SendError(
                f"${env} must be an address like smtp://user:password@mail.example.com:587"
                "?to=status@lists.example.com&from=status@example.com (smtps:// for TLS on "
                "connect)",
                permanent=True,
            )
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        mode = query.get("mode") or ("ssl" if parts.scheme == "smtps" else "plain")
        if mode not in ("plain", "starttls", "ssl"):
            raise SendError(f"${env}: mode must be plain, starttls or ssl", permanent=True)
        recipients = [a for _, a in getaddresses([query.get("to", "")]) if a]
        if not recipients:
            raise SendError(f"${env} names no recipient: add ?to=address", permanent=True)
        default_port = {"plain": 25, "starttls": 587, "ssl": 465}[mode]
        return cls(
            host=parts.hostname,
            port=parts.port or default_port,
            mode=mode,
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            recipients=recipients,
            sender=query.get("from"),
        )


def email_message(outgoing: Outgoing, sender: str, site_name: str, to: list[str]) -> EmailMessage:
    """The multipart/alternative email: plain text and its HTML layout, threading headers."""
    message = EmailMessage()
    name, address = parseaddr(sender)
    message["From"] = formataddr((name or site_name, address))
    # One recipient (a mailing list) is named; several are sent blind to each other.
    message["To"] = to[0] if len(to) == 1 else "undisclosed-recipients:;"
    message["Subject"] = outgoing.subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message.set_content(outgoing.body)
    if outgoing.html is not None:
        message.add_alternative(outgoing.html, subtype="html")
    # After the content: setting it replaces every Content-* header, Content-Language too.
    for key, value in outgoing.headers.items():
        message[key] = value
    return message


def send_email(
    address: str, outgoing: Outgoing, email_from: str | None, site_name: str, timeout: float
) -> None:
    """One email through SMTP, to every recipient of the channel in one transaction."""
    smtp = SmtpAddress.parse(address, outgoing.channel.url_env)
    sender = smtp.sender or email_from
    if not sender:
        raise SendError(
            "no sender: set notify.email_from in mkdocs.yml or add &from= to "
            f"${outgoing.channel.url_env}",
            permanent=True,
        )
    message = email_message(outgoing, sender, site_name, smtp.recipients)
    try:
        client: smtplib.SMTP
        if smtp.mode == "ssl":
            client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=timeout)
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=timeout)
        with client:
            if smtp.mode == "starttls":
                client.starttls(context=ssl.create_default_context())
            if smtp.user:
                client.login(smtp.user, smtp.password or "")
            refused = client.send_message(
                message, from_addr=parseaddr(sender)[1], to_addrs=smtp.recipients
            )
    except smtplib.SMTPRecipientsRefused as exc:
        raise SendError(f"every recipient was refused: {', '.join(exc.recipients)}") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise SendError(f"SMTP {smtp.host}:{smtp.port}: {exc}") from None
    if refused:
        click.echo(
            f"warning: {outgoing.channel.id}: refused by the server: {', '.join(refused)}",
            err=True,
        )


def send_webhook(address: str, outgoing: Outgoing, secret: str | None, timeout: float) -> None:
    """A signed JSON POST; any 2xx answer is a confirmed delivery, as Statuspage counts it."""
    if not address.startswith(("https://", "http://")):
        raise SendError(f"${outgoing.channel.url_env} must be an https:// address", permanent=True)
    body = outgoing.body.encode("utf-8")
    headers = {**outgoing.headers, "User-Agent": _user_agent()}
    if secret:
        headers[SIGNATURE_HEADER] = sign(secret, body)
    request = urllib.request.Request(address, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        permanent = exc.code in (400, 401, 403, 404, 410, 422)
        raise SendError(f"HTTP {exc.code} {exc.reason}", permanent=permanent) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SendError(f"{type(exc).__name__}: {reason}") from None
    if not 200 <= status < 300:
        raise SendError(f"HTTP {status}")


# One run ----------------------------------------------------------------------------------


@dataclass
class ChannelReport:
    """What one channel did in this run, for the console and the job summary."""

    channel: NotifyChannel
    sent: list[str] = field(default_factory=list)
    already: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: str | None = None


@dataclass
class RunOptions:
    retries: int = 3
    backoff: float = 2.0
    timeout: float = 10.0
    lock_timeout: float = 300.0
    dry_run: bool = False
    only: tuple[str, ...] = ()
    sleep: Callable[[float], None] = time.sleep


def deliver(send: Callable[[], None], options: RunOptions) -> tuple[int, str | None]:
    """Try a send up to 1 + retries times, waiting backoff, twice that, ...; (attempts, error)."""
    error: str | None = None
    for attempt in range(options.retries + 1):
        if attempt:
            options.sleep(min(MAX_DELAY_SECONDS, options.backoff * 2 ** (attempt - 1)))
        try:
            send()
            return attempt + 1, None
        except SendError as exc:
            error = str(exc)
            if exc.permanent:
                return attempt + 1, error
    return options.retries + 1, error


@dataclass
class Plan:
    """The channels of a site with their notifiers, ready to send or to print."""

    settings: Settings
    site_name: str
    config_dir: Path
    notifiers: dict[str, Notifier]
    events: list[Event]


def _site_facts(config_file: Path) -> tuple[str, str]:
    """The site's name and Statuspage page id, as the build writes them in the API."""
    from slugify import slugify

    from ..adapter.generator import load_config

    config = load_config(str(config_file))
    site_name = str(config.site_name or "")
    plugin = config.plugins["statuskit"]
    page_id = str(plugin.config.page_id or "") or slugify(site_name) or "status"
    return site_name, page_id


def make_plan(config_file: Path, only: tuple[str, ...]) -> Plan:
    """Load each channel's site (its locale path or mirror) once and collect the events."""
    base = load_settings(config_file)
    channels = base.notify.channels
    unknown = sorted(set(only) - {c.id for c in channels})
    if unknown:
        known = ", ".join(c.id for c in channels) or "none is configured under notify.channels"
        raise click.BadParameter(f"unknown channel {', '.join(unknown)}; channels: {known}")
    site_name, page_id = _site_facts(config_file)
    sites: dict[tuple[str, str | None], Site] = {}
    notifiers: dict[str, Notifier] = {}
    config_dir = config_file.resolve().parent
    for channel in channels:
        if only and channel.id not in only:
            continue
        locale = channel.locale or base.locale
        target = (locale, channel.mirror)
        if target not in sites:
            settings = target_settings(config_file, locale, channel.mirror)
            try:
                sites[target] = load_site(settings, base.now)
            except ValidationFailed as exc:
                raise click.ClickException(f"fix the incident files first ({exc})") from None
        site = sites[target]
        assert site.settings.targets is not None
        notifiers[channel.id] = Notifier(
            site,
            channel,
            base.notify,
            site_name,
            page_id,
            locale,
            site.settings.targets.current.site_url,
            template_environment(config_dir, locale),
        )
    if not notifiers:
        return Plan(base, site_name, config_dir, notifiers, [])
    first = next(iter(sites.values()))
    max_age = timedelta(hours=base.notify.max_age_hours) if base.notify.max_age_hours else None
    events = collect_events(first, first.state.now, max_age)
    return Plan(base, site_name, config_dir, notifiers, events)


def outgoing_of(plan: Plan, channel_id: str, ledger: Ledger) -> tuple[list[Outgoing], int]:
    """The messages a channel has still to send, oldest first, and how many it sent before.

    An event whose every message is in the ledger is not rendered again: a run with nothing
    new costs reading the ledger, not rendering the history.
    """
    notifier = plan.notifiers[channel_id]
    messages: list[Outgoing] = []
    already = 0
    for event in plan.events:
        if not notifier.wants(event):
            continue
        keys = notifier.keys(event)
        if all(ledger.has(key) for key in keys):
            already += len(keys)
            continue
        try:
            rendered = notifier.render(event)
        except AnnounceError as exc:
            raise click.ClickException(f"notify channel {channel_id}: {exc}") from None
        already += sum(ledger.has(o.key) for o in rendered)
        messages.extend(o for o in rendered if not ledger.has(o.key))
    return messages, already


def _sender(
    plan: Plan, channel: NotifyChannel, address: str, options: RunOptions
) -> Callable[[Outgoing], None]:
    secret = os.environ.get(channel.secret_env or "", "").strip() or None
    if channel.kind == "email":
        return lambda o: send_email(
            address, o, plan.settings.notify.email_from, plan.site_name, options.timeout
        )
    if channel.kind == "webhook":
        return lambda o: send_webhook(address, o, secret, options.timeout)
    return lambda o: send_apprise(address, o)


def run(config_file: Path, ledger_path: Path | None, options: RunOptions) -> list[ChannelReport]:
    """Send what is new to every channel whose address is set; the ledger makes it once-only."""
    plan = make_plan(config_file, options.only)
    path = ledger_path or plan.settings.notify.ledger or plan.config_dir / "notify-ledger.jsonl"
    reports = [ChannelReport(n.channel) for n in plan.notifiers.values()]
    if options.dry_run:
        ledger = Ledger.load(path)
        for report in reports:
            _print_dry_run(plan, report, ledger)
        return reports
    with locked(path, options.lock_timeout):
        ledger = Ledger.load(path)  # read under the lock: another run may just have written it
        for report in reports:
            channel = report.channel
            address = os.environ.get(channel.url_env, "").strip()
            if not address:
                report.skipped = f"${channel.url_env} is not set"
                continue
            if channel.secret_env and not os.environ.get(channel.secret_env, "").strip():
                report.skipped = f"${channel.secret_env} (the signing secret) is not set"
                continue
            send = _sender(plan, channel, address, options)
            messages, report.already = outgoing_of(plan, channel.id, ledger)
            for outgoing in messages:
                attempts, error = deliver(partial(send, outgoing), options)
                if error is None:
                    ledger.record(outgoing, datetime.now(UTC))
                    report.sent.append(outgoing.key)
                    click.echo(f"sent {outgoing.describe()}")
                else:
                    report.failed.append((outgoing.key, f"{error} ({attempts} attempt(s))"))
                    click.echo(f"failed {outgoing.describe()}: {error}", err=True)
    return reports


def _print_dry_run(plan: Plan, report: ChannelReport, ledger: Ledger) -> None:
    channel = report.channel
    notifier = plan.notifiers[channel.id]
    where = f"{channel.kind}, {channel.audience}, {notifier.locale}, {notifier.base_url}"
    address = "set" if os.environ.get(channel.url_env, "").strip() else "NOT SET"
    messages, report.already = outgoing_of(plan, channel.id, ledger)
    for outgoing in messages:
        report.sent.append(outgoing.key)
        click.echo(f"=== {channel.id} ({where}) via ${channel.url_env} ({address}): {outgoing.key}")
        for key, value in outgoing.headers.items():
            click.echo(f"{key}: {value}")
        if channel.kind == "webhook" and channel.secret_env:
            click.echo(
                f"{SIGNATURE_HEADER}: sha256=<HMAC-SHA256 of the body with ${channel.secret_env}>"
            )
        if channel.kind == "email":
            click.echo(f"Subject: {outgoing.subject}")
            click.echo(f"(plain text below; an HTML part of {len(outgoing.html or '')} characters)")
        click.echo("")
        click.echo(outgoing.body)
        click.echo("")


def summary(reports: list[ChannelReport], dry_run: bool) -> str:
    """The job summary: one row per channel, then every failure with its reason."""
    title = "Notifications (dry run: nothing sent)" if dry_run else "Notifications"
    lines = [
        f"## {title}",
        "",
        "| channel | kind | audience | "
        + ("would send" if dry_run else "sent")
        + " | sent before | failed | note |",
        "|---|---|---|---:|---:|---:|---|",
    ]
    for r in reports:
        c = r.channel
        note = f"skipped: {r.skipped}" if r.skipped else ""
        lines.append(
            f"| `{c.id}` | {c.kind} | {c.audience} | {len(r.sent)} | {r.already} | "
            f"{len(r.failed)} | {note} |"
        )
    if not reports:
        lines.append("| none configured | | | | | | add channels under `notify:` in mkdocs.yml |")
    failures = [(r.channel.id, key, why) for r in reports for key, why in r.failed]
    if failures:
        lines += ["", "### Not sent (tried again by the next run)", ""]
        lines += [f"- `{channel}` {key}: {why}" for channel, key, why in failures]
    return "\n".join(lines) + "\n"


@click.command("notify")
@config_option
@click.option(
    "--ledger",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file of what was sent; notify.ledger in mkdocs.yml by default.",
)
@click.option("--dry-run", is_flag=True, help="Print what would be sent where; send nothing.")
@click.option("--channel", "only", multiple=True, help="Only this channel (an id). Repeatable.")
@click.option(
    "--retries",
    type=click.IntRange(0, 10),
    default=3,
    show_default=True,
    help="Tries after a failed send, before it is left for the next run.",
)
@click.option(
    "--backoff",
    type=click.FloatRange(0),
    default=2.0,
    show_default=True,
    help="Seconds before the first retry; doubled for each next one (at most 60).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0.1),
    default=10.0,
    show_default=True,
    help="Seconds for an SMTP server or webhook to answer (Apprise URLs: their cto and rto).",
)
@click.option(
    "--lock-timeout",
    type=click.FloatRange(0),
    default=300.0,
    show_default=True,
    help="Seconds to wait for another run holding the ledger's lock.",
)
@click.option(
    "--summary",
    "summary_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Append the Markdown summary here; $GITHUB_STEP_SUMMARY when set.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Exit 1 when a message could not be sent or a channel's variable is not set.",
)
def notify_command(
    config_file: Path,
    ledger: Path | None,
    dry_run: bool,
    only: tuple[str, ...],
    retries: int,
    backoff: float,
    timeout: float,
    lock_timeout: float,
    summary_file: Path | None,
    strict: bool,
) -> None:
    """Send each update, maintenance notice and postmortem new since the last run, once.

    Channels are declared under `notify:` in mkdocs.yml; their addresses and secrets are read
    from the environment variables they name. Failed sends are retried, reported and left for
    the next run: the exit code is 0 unless --strict.
    """
    options = RunOptions(retries, backoff, timeout, lock_timeout, dry_run, only)
    reports = run(config_file, ledger, options)
    text = summary(reports, dry_run)
    target = summary_file or (
        Path(os.environ["GITHUB_STEP_SUMMARY"]) if os.environ.get("GITHUB_STEP_SUMMARY") else None
    )
    if target is not None:
        with target.open("a", encoding="utf-8") as handle:
            handle.write(text)
    sent = sum(len(r.sent) for r in reports)
    failed = sum(len(r.failed) for r in reports)
    skipped = [r for r in reports if r.skipped]
    for report in skipped:
        click.echo(f"warning: channel {report.channel.id} skipped: {report.skipped}", err=True)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        for report in reports:
            for key, why in report.failed:
                click.echo(f"::warning title=notify {report.channel.id}::{key}: {why}")
    verb = "would send" if dry_run else "sent"
    click.echo(
        f"{verb} {sent} message(s) on {len(reports) - len(skipped)} channel(s); "
        f"{failed} failed, {len(skipped)} channel(s) skipped.",
        err=True,
    )
    if strict and (failed or skipped):
        sys.exit(1)
