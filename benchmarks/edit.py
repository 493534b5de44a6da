"""Time the commands an engineer runs during an outage on a large history; prints, asserts nothing.

Usage: python benchmarks/edit.py [N ...]   (default: 10000)

For each size it generates the synthetic corpus (benchmarks/corpus.py) and times, each in its own
process as a person runs them: `statuskit update` of one open incident, `statuskit resolve`,
`statuskit new`, and for comparison `statuskit validate` of the whole tree.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import generate

STATUSKIT = [sys.executable, "-m", "statuskit.cli.main"]


def timed(root: Path, *args: str) -> tuple[float, int]:
    """Wall seconds and exit code of one statuskit command run in the project."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    proc = subprocess.run([*STATUSKIT, *args], cwd=root, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        print(proc.stderr, file=sys.stderr)
    return seconds, proc.returncode


def open_incident(root: Path) -> str:
    """The newest incident file still open, found by text so the search costs no parsing."""
    files = sorted((root / "incidents").rglob("*.md"), reverse=True)
    for path in files:
        text = path.read_text("utf-8") if path.name.count(".") == 1 else "status: resolved"
        if "status: resolved" not in text and "kind: maintenance" not in text:
            return path.stem
    return files[0].stem


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [10000]
    print(f"{'N':>6} {'command':<32} {'seconds':>8} {'exit':>5}", flush=True)
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix=f"statuskit-edit-{n}-") as tmp:
            root = Path(tmp)
            generate(root, n, 0, ("en", "ko"))
            ident = open_incident(root)
            rows = [
                ("update", ["update", ident, "-s", "identified", "-m", "Cause found."]),
                ("resolve", ["resolve", ident]),
                ("new", ["new", "Sign-in slow", "-c", "api=degraded_performance"]),
                ("validate (whole tree)", ["validate"]),
            ]
            for label, args in rows:
                seconds, code = timed(root, *args)
                print(f"{n:>6} {'statuskit ' + label:<32} {seconds:>8.2f} {code:>5}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
