"""Copies of the repository's demo site built into temporary folders and served over HTTP.

Shared by the output checks (Nu HTML checker, axe-core, the browser, links, internal notes). Not a
test module: pytest collects only `test_*.py`.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from click.testing import CliRunner

from conftest import ROOT
from statuskit.cli.main import main

CHROMIUM = Path("/usr/bin/chromium")
# Headless as root, nothing fetched in the background: the only traffic is the page's own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
ARTIFACTS = ROOT / "test-artifacts"
# Top-level folders of the repository that are not part of the demo site.
NOT_DEMO = {"site", "node_modules", "plugins", "tests", "benchmarks", "test-artifacts", "build"}


def require(available: bool, what: str) -> None:
    """Skip a check whose tool is missing on a developer's machine; fail in CI, which has them."""
    if available:
        return
    message = f"{what} is missing; `bash .ci/run` installs it"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def copy_demo(dest: Path) -> Path:
    """The demo (mkdocs.yml and what it uses: pages, overrides, incidents...) copied into dest."""
    dest.mkdir(parents=True, exist_ok=True)
    for entry in ROOT.iterdir():
        if entry.name.startswith(".") or entry.name in NOT_DEMO:
            continue
        if entry.is_dir():
            shutil.copytree(entry, dest / entry.name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(entry, dest / entry.name)
    return dest / "mkdocs.yml"


def read_config(config_file: Path) -> dict[str, Any]:
    data = yaml.safe_load(config_file.read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def write_config(config_file: Path, data: dict[str, Any]) -> None:
    config_file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


def plugin_options(data: dict[str, Any]) -> dict[str, Any]:
    """The statuskit options of a loaded mkdocs.yml, to change in place."""
    for item in data["plugins"]:
        if isinstance(item, dict) and "statuskit" in item:
            options = item["statuskit"]
            assert isinstance(options, dict)
            return options
    raise AssertionError("the demo's mkdocs.yml has no statuskit plugin")


def incidents_dir(config_file: Path) -> Path:
    options = plugin_options(read_config(config_file))
    return config_file.parent / str(options.get("incidents_dir", "incidents"))


def build(config_file: Path, site_dir: Path, *, mirrors: bool = False) -> None:
    """`statuskit build` (a path per locale) or `statuskit build --mirrors`, in this process."""
    args = ["build", "-f", str(config_file), "--site-dir", str(site_dir)]
    result = CliRunner().invoke(main, [*args, "--mirrors"] if mirrors else args)
    assert result.exit_code == 0, result.output + repr(result.exception)


@dataclass(frozen=True)
class ActiveIncident:
    """An open incident the browser test follows, with updates a few hours old."""

    id: str
    titles: dict[str, str]
    bodies: list[str]  # oldest first, as in the file


def add_active_incident(config_file: Path) -> ActiveIncident:
    """Writes an open incident with three updates; its times are relative to the demo's fixed
    build time (`now` in mkdocs.yml), else to the real clock."""
    options = plugin_options(read_config(config_file))
    zone = ZoneInfo(str(options.get("timezone", "UTC")))
    fixed = options.get("now")
    now = (
        (fixed if isinstance(fixed, datetime) else datetime.fromisoformat(str(fixed)))
        if fixed
        else datetime.now(zone)
    ).replace(second=0, microsecond=0)
    times = [now - timedelta(minutes=m) for m in (170, 160, 95, 30)]
    incident = ActiveIncident(
        id="browser-check-card-declines",
        titles={
            "en": "Browser check: card payments declined",
            "ko": "브라우저 점검: 카드 결제 거절",
            "ja": "ブラウザ確認: カード決済の拒否",
        },
        bodies=[
            "First update: some card payments are declined.",
            "Second update: a certificate at the card network expired.",
            "Third update: the certificate is renewed; we are watching payments.",
        ],
    )
    statuses = ["investigating", "identified", "monitoring"]
    updates = "".join(
        f"  - at: {at.isoformat()}\n    status: {status}\n    body: {json.dumps(body)}\n"
        for at, status, body in zip(times[1:], statuses, incident.bodies, strict=True)
    )
    titles = "".join(
        f"  {lang}: {json.dumps(text, ensure_ascii=False)}\n"
        for lang, text in incident.titles.items()
    )
    text = (
        "---\n"
        f"id: {incident.id}\n"
        f"title:\n{titles}"
        "kind: incident\n"
        "severity: minor\n"
        "components:\n  payments: partial_outage\n"
        f"started_at: {times[0].isoformat()}\n"
        f"detected_at: {times[0].isoformat()}\n"
        f"updates:\n{updates}"
        "---\n"
        "Card payments were declined while a certificate was expired.\n"
    )
    path = incidents_dir(config_file) / f"{now.year}" / f"{incident.id}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return incident


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Server:
    """A static file server on 127.0.0.1 whose folder may be filled after it started."""

    root: Path
    httpd: ThreadingHTTPServer

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}/"


@contextmanager
def serve(root: Path) -> Iterator[Server]:
    """Serves root on a free port of 127.0.0.1 until the block ends."""
    root.mkdir(parents=True, exist_ok=True)
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(root, httpd)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
