"""Time `mkdocs build` on synthetic corpora of growing size; prints figures, asserts nothing.

Usage: python benchmarks/build.py [--locales] [N ...]   (default: 100 1000 5000)

--locales builds every size twice: once in one locale (`mkdocs build`) and once in en, ko and ja
with a path per locale (`statuskit build`), to show what each extra locale costs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import generate

DEFAULT_SIZES = (100, 1000, 5000)

# A fresh wrapper per build, so RUSAGE_CHILDREN holds the peak of that one mkdocs process only.
# The build's output goes to stderr, keeping stdout for the wrapper's one JSON line.
_WRAPPER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.call(sys.argv[1:], stdout=sys.stderr)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"code": code, "seconds": seconds, "peak": peak}))
"""


SINGLE = [sys.executable, "-m", "mkdocs", "build", "-q"]
LOCALES = [sys.executable, "-m", "statuskit.cli.main", "build"]


@dataclass
class Result:
    n: int
    label: str
    seconds: float
    peak_mib: float
    pages: int

    @property
    def ms_per_incident(self) -> float:
        return 1000 * self.seconds / self.n


def print_table(rows: list[tuple[str, str, str]]) -> None:
    """The figures as a Markdown table, each with the command that gives it."""
    print("\n| figure | measured | command |\n|---|---|---|")
    for figure, value, command in rows:
        print(f"| {figure} | {value} | `{command}` |")


def run_build(root: Path, command: list[str]) -> tuple[float, float]:
    """Build the project at root in a subprocess; returns (wall seconds, peak RSS in MiB)."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *command],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    lines = proc.stdout.strip().splitlines()
    report = json.loads(lines[-1]) if lines else {"code": proc.returncode}
    if proc.returncode or report["code"]:
        raise RuntimeError(f"mkdocs build failed in {root}:\n{proc.stderr}")
    # ru_maxrss is in KiB on Linux, in bytes on macOS.
    unit = 1024 * 1024 if sys.platform == "darwin" else 1024
    return report["seconds"], report["peak"] / unit


def measure(n: int, locales: bool = False, seed: int = 0) -> Result:
    with tempfile.TemporaryDirectory(prefix=f"statuskit-bench-{n}-") as tmp:
        root = Path(tmp)
        generate(root, n, seed, ("en", "ko", "ja") if locales else ("en", "ko"))
        seconds, peak = run_build(root, LOCALES if locales else SINGLE)
        pages = sum(1 for _ in (root / "site").rglob("*.html"))
    return Result(n, "en+ko+ja" if locales else "1 locale", seconds, peak, pages)


def main(argv: list[str]) -> int:
    with_locales = "--locales" in argv
    sizes = [int(a) for a in argv if a != "--locales"] or list(DEFAULT_SIZES)
    print(
        f"{'N':>6} {'locales':>9} {'seconds':>8} {'ms/incident':>12} {'peak MiB':>9} {'pages':>6}",
        flush=True,
    )
    results: list[Result] = []
    for n in sizes:
        for locales in (False, True) if with_locales else (False,):
            try:
                result = measure(n, locales)
            except RuntimeError as exc:
                print(exc, file=sys.stderr)
                return 1
            if not locales:
                results.append(result)
            print(
                f"{n:>6} {result.label:>9} {result.seconds:>8.2f} "
                f"{result.ms_per_incident:>12.2f} {result.peak_mib:>9.1f} {result.pages:>6}",
                flush=True,
            )
    if len(results) >= 2:
        small, large = sorted(results, key=lambda r: r.n)[-2:]
        if large.n > small.n:
            ratio = large.ms_per_incident / small.ms_per_incident
            marginal = 1000 * (large.seconds - small.seconds) / (large.n - small.n)
            print(
                f"\nflatness: ms/incident at N={large.n} / at N={small.n} = {ratio:.2f} "
                "(about 1 or below: linear; above 1: worse than linear)"
            )
            print(f"marginal cost between them: {marginal:.2f} ms per extra incident")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
