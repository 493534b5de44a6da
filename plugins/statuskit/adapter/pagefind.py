"""Pagefind in its service mode: one process indexes every search bundle of a target's build.

Pagefind's own command indexes one folder per run, and each run loads what its languages need
first: for Japanese a dictionary that takes about a second of processor time, whether the run
indexes one page or a year of them. A service loads it once and then indexes bundle after
bundle (an index each, written and dropped in turn) with the same output as the command.

`statuskit build` starts each target's service before it reads the history (`start_ahead`),
with a page in the target's language so the dictionary loads on the core the reading leaves
free; the worker forked for the target takes it over (`search_service`). A build on its own
starts one, warmed the same way, once its history is loaded. The service speaks base64 JSON
messages ended by a comma on its standard input and output; it runs in an empty folder of its
own (a `pagefind.yml` of the project never changes the index unseen), below the build, and
ends with the build.
"""

from __future__ import annotations

import base64
import contextlib
import html
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from typing import IO, Any

from mkdocs.exceptions import PluginError

from ..core.i18n import Catalog
from .processes import die_with_parent, spare_cores

# How far below the build Pagefind runs (see `_beside_the_build`).
NICENESS = 10
# Services started ahead by `statuskit build`, by target (`mode:id`), for its workers to take.
_AHEAD: dict[str, PagefindService] = {}
_CHUNK = 1 << 16
# How long a service may take to exit once its input is closed.
_EXIT_SECONDS = 5


def pagefind_command() -> list[str]:
    """Pagefind's binary itself when the package can say where it is (no Python start per run)."""
    try:
        from pagefind.service import get_executable

        binary = get_executable()
    except Exception:  # an older or unusual installation: its own launcher finds the binary
        binary = None
    return [str(binary)] if binary is not None else [sys.executable, "-m", "pagefind"]


class PagefindService:
    """One Pagefind service process and its messages.

    Requests are numbered; `reply` finds the answer to one (read without blocking unless told
    to wait). A process that ends, or answers with an error, fails the request with Pagefind's
    own words. Usable in a process forked after it started: it speaks through the pipes'
    file descriptors only, and `close` there stops it without waiting for it (its parent does).
    """

    def __init__(self, command: list[str]) -> None:
        self.folder = tempfile.mkdtemp(prefix="statuskit-pagefind-")
        self.log: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed by `close`
        try:
            self.process = subprocess.Popen(
                [*command, "--service"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self.log,
                cwd=self.folder,
                preexec_fn=_beside_the_build,
            )
        except OSError as exc:
            self.log.close()
            shutil.rmtree(self.folder, ignore_errors=True)
            raise PluginError(f"statuskit: could not run Pagefind: {exc}") from None
        assert self.process.stdin is not None and self.process.stdout is not None
        self.owner = os.getpid()
        self._in = self.process.stdin.fileno()
        self._out = self.process.stdout.fileno()
        self._buffer = b""
        self._replies: dict[int, dict[str, Any]] = {}
        self._ignored: set[int] = set()
        self._last = 0
        self.ended = False

    def send(self, payload: dict[str, Any], ignore: bool = False) -> int:
        """Send a request; its number, for `reply` (an `ignore`d one's answer is dropped)."""
        self._last += 1
        message = {"message_id": self._last, "payload": payload}
        data = base64.b64encode(json.dumps(message).encode("utf-8")) + b","
        try:
            while data:
                data = data[os.write(self._in, data) :]
        except OSError:  # it has ended: `reply` says why
            self.ended = True
        if ignore:
            self._ignored.add(self._last)
        return self._last

    def reply(self, message: int, what: str, wait: bool = False) -> dict[str, Any] | None:
        """The answer to a request, or None while it is not there yet (only without `wait`)."""
        while message not in self._replies:
            if self.ended or not self._read(wait):
                if self.ended:
                    raise PluginError(f"statuskit: Pagefind could not {what}: {self._ending()}")
                return None
        payload = self._replies.pop(message)
        if payload.get("type") == "Error":
            text = str(payload.get("message") or "no message").strip()
            raise PluginError(f"statuskit: Pagefind could not {what}: {text}")
        return payload

    def request(self, payload: dict[str, Any], what: str) -> dict[str, Any]:
        """Send a request and wait for its answer."""
        answer = self.reply(self.send(payload), what, wait=True)
        assert answer is not None
        return answer

    def warm(self, locale: str) -> None:
        """Index a page of the locale's words now and drop the answer: what its language needs
        loads while the build does other work.

        Pagefind loads a language's dictionary in parts, as words need them: after a page of
        one word a quarter of Japanese pages still took as long; after the catalog's strings,
        an eighth of that.
        """
        index = self.request({"type": "NewIndex", "config": None}, "start an index")["index_id"]
        words = html.escape(" ".join(Catalog(locale).strings.values()))
        page = f'<html lang="{html.escape(locale)}"><body data-pagefind-body><p>{words}</p>'
        add = {"type": "AddFile", "index_id": index, "url": "/", "file_contents": page}
        self.send(add, ignore=True)
        self.send({"type": "DeleteIndex", "index_id": index}, ignore=True)

    def _read(self, wait: bool) -> bool:
        """Take in what the process has written; False when nothing was there to take."""
        ready, _, _ = select.select([self._out], [], [], None if wait else 0)
        if not ready:
            return False
        chunk = os.read(self._out, _CHUNK)
        if not chunk:
            self.ended = True
            return False
        self._buffer += chunk
        *messages, self._buffer = self._buffer.split(b",")
        for text in messages:
            try:
                answer = json.loads(base64.b64decode(text))
            except ValueError:
                raise PluginError(
                    f"statuskit: Pagefind answered what statuskit cannot read: {text[:200]!r}"
                    "; is `pagefind[extended]` installed?"
                ) from None
            if not isinstance(answer, dict):
                continue
            number = answer.get("message_id")
            payload = answer.get("payload") or {}
            if number is None and isinstance(payload.get("original_message"), str):
                with contextlib.suppress(ValueError):
                    number = json.loads(payload["original_message"]).get("message_id")
            if number is None or number in self._ignored:
                self._ignored.discard(number)
                continue
            self._replies[number] = payload
        return True

    def _ending(self) -> str:
        """Why the process ended: its exit (when this process can know it) and its output."""
        how = "it stopped"
        if os.getpid() == self.owner:
            code = self.process.wait()
            how = f"exit {code}" if code >= 0 else f"killed by signal {-code}"
        self.log.seek(0)
        text = self.log.read().decode("utf-8", "replace").strip()
        return f"({how}): {text or 'no output'}; is `pagefind[extended]` installed?"

    def close(self, at_once: bool = False) -> None:
        """End the process: its input closed, it exits (`at_once`: stopped, whatever it does);
        the process that started it waits for it (a process forked since stops it at once: the
        starter still holds its input)."""
        if at_once:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGKILL)
        for stream in (self.process.stdin, self.process.stdout, self.log):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()
        if os.getpid() == self.owner:
            try:
                self.process.wait(timeout=_EXIT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            shutil.rmtree(self.folder, ignore_errors=True)
        else:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGKILL)
        self.ended = True


def _beside_the_build() -> None:
    """Pagefind ends with the build, and yields the processor to it: MkDocs renders on one
    core, Pagefind takes what is left (it would otherwise slow the rendering it runs beside)."""
    die_with_parent()
    os.nice(NICENESS)


def start_ahead(target: str, locale: str) -> None:
    """Start a target's service and load its locale's language now, for the build of `target`
    to take (here or in a worker forked here); an error is left for that build to meet."""
    service = _warmed(locale)
    if service is not None:
        _AHEAD[target] = service


def search_service(target: str | None, locale: str) -> PagefindService | None:
    """This build's service: the one started ahead for its target, else one started now and
    warmed on a spare core; None with no core to spare (it starts when a bundle needs it)."""
    service = _AHEAD.pop(target or "", None)
    if service is None and spare_cores() >= 1:
        service = _warmed(locale)
    return service


def _warmed(locale: str) -> PagefindService | None:
    """A service loading the locale's language; None if it cannot start, and one that fails
    on the way is kept: the build meets its error with the first bundle it indexes."""
    try:
        service = PagefindService(pagefind_command())
    except PluginError:
        return None
    with contextlib.suppress(PluginError, OSError, ValueError, KeyError):
        service.warm(locale)
    return service


@contextlib.contextmanager
def services_ahead() -> Iterator[None]:
    """Within: services started ahead; when it ends, those no build took are stopped, and
    those the workers took are waited for."""
    try:
        yield
    finally:
        started = list(_AHEAD.values())
        _AHEAD.clear()
        for service in started:
            service.close()
