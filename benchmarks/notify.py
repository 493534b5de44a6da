"""Time `statuskit notify` on a large history; prints, asserts nothing.

Usage: python benchmarks/notify.py [N ...]   (default: 100 1000)

For each size it generates the synthetic corpus (benchmarks/corpus.py), declares four channels
(chat, internal chat, email, webhook in Korean) and times, each in its own process:

- `notify --dry-run` with the default age limit (24 hours): what a deploy renders;
- `notify --dry-run` with no age limit: every update of five years, rendered for each channel;
- a real run to HTTP and SMTP receivers on 127.0.0.1 (no age limit, so it sends thousands);
- the same run again: nothing new, only the ledger is read.

The receivers answer at once, so the figures are statuskit's own cost per message.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml
from aiosmtpd.controller import Controller

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import generate

STATUSKIT = [sys.executable, "-m", "statuskit.cli.main"]
CHANNELS = [
    {"id": "chat", "kind": "chat", "url_env": "BENCH_CHAT"},
    {"id": "ops", "kind": "chat", "url_env": "BENCH_OPS", "audience": "internal"},
    {"id": "mail-ko", "kind": "email", "url_env": "BENCH_MAIL", "locale": "ko"},
    {
        "id": "hook",
        "kind": "webhook",
        "url_env": "BENCH_HOOK",
        "secret_env": "BENCH_SECRET",
        "audience": "partner",
    },
]


class Quiet(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.end_headers()


class Sink:
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return "250 OK"


def configure(root: Path, max_age_hours: int) -> None:
    config_file = root / "mkdocs.yml"
    config = yaml.safe_load(config_file.read_text("utf-8"))
    plugin = next(p["statuskit"] for p in config["plugins"] if isinstance(p, dict))
    plugin["notify"] = {
        "channels": CHANNELS,
        "email_from": "status@example.com",
        "max_age_hours": max_age_hours,
    }
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")


def timed(root: Path, env: dict[str, str], *args: str) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(
        [*STATUSKIT, "notify", *args], cwd=root, env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    last = (proc.stderr.strip().splitlines() or ["?"])[-1]
    return seconds, last if proc.returncode == 0 else f"exit {proc.returncode}: {last}"


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [100, 1000]
    server = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    http = f"127.0.0.1:{server.server_address[1]}"
    smtp = Controller(Sink(), hostname="127.0.0.1", port=8025 + os.getpid() % 1000)
    smtp.start()
    env = {
        **os.environ,
        "NO_MKDOCS_2_WARNING": "1",
        "GITHUB_STEP_SUMMARY": "",
        "BENCH_CHAT": f"json://{http}/chat",
        "BENCH_OPS": f"json://{http}/ops",
        "BENCH_MAIL": f"smtp://127.0.0.1:{smtp.port}?to=list@example.com",
        "BENCH_HOOK": f"http://{http}/hook",
        "BENCH_SECRET": "benchmark-secret",
    }
    print(f"{'N':>6} {'run':<36} {'seconds':>8}  result", flush=True)
    try:
        for n in sizes:
            with tempfile.TemporaryDirectory(prefix=f"statuskit-notify-{n}-") as tmp:
                root = Path(tmp)
                generate(root, n, 0, ("en", "ko"))
                configure(root, 24)
                rows = [("dry run, last 24 hours", ["--dry-run"])]
                for label, args in rows:
                    seconds, result = timed(root, env, *args)
                    print(f"{n:>6} {label:<36} {seconds:>8.2f}  {result}", flush=True)
                configure(root, 0)
                rows = [
                    ("dry run, whole history", ["--dry-run"]),
                    ("send whole history (4 channels)", ["--backoff", "0"]),
                    ("again: nothing new", ["--backoff", "0"]),
                ]
                for label, args in rows:
                    seconds, result = timed(root, env, *args)
                    print(f"{n:>6} {label:<36} {seconds:>8.2f}  {result}", flush=True)
    finally:
        smtp.stop()
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
