"""Seconds and peak memory of the search index (Pagefind) on a large site; prints, asserts nothing.

Usage: python benchmarks/search.py [N]   (default: 10000 incidents)

On a corpus of N incidents (benchmarks/corpus.py), one locale (`mkdocs build`), each figure with
the command that gives it:

1. a clean build (no cache): the seconds of the search step (reading the pages, Pagefind over
   each year's bundle, keeping the bundles in the cache), its processor seconds (statuskit's in
   the build process, Pagefind's in its runs) and the peak memory of the largest Pagefind run;
   beside them the peak memory of the MkDocs process itself;
2. a warm build after `statuskit update` on an open incident (this year's bundle changes, the
   other years are copied from the cache): the same figures;
3. for comparison, one Pagefind run over the whole built site, as statuskit indexed before the
   bundles.

Each build runs in a fresh child process (its own peak memory is its `RUSAGE_SELF`); Pagefind runs
through a small wrapper (`PAGEFIND_BINARY_PATH`) that notes each run's seconds, processor seconds
and peak memory (a process forked from the build would count the build's memory as its own). Times
are wall-clock seconds on this machine as it is, processor seconds beside them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build import print_table
from corpus import generate

# One build in this process; the search steps timed by wrapping the indexer's calls (its start,
# each page written, which may start Pagefind beside the rendering, and what is left at the end).
_BUILD = """
import json, logging, resource, sys, time
from statuskit.adapter.search import SearchIndexer
spent, cpu = [], []
def timing(real):
    def timed(*args, **kwargs):
        start, processor = time.perf_counter(), time.process_time()
        real(*args, **kwargs)
        spent.append(time.perf_counter() - start)
        cpu.append(time.process_time() - processor)
    return timed
for name in ("__init__", "written", "finish"):
    setattr(SearchIndexer, name, timing(getattr(SearchIndexer, name)))
lines = []
class Keep(logging.Handler):
    def emit(self, record):
        lines.append(record.getMessage())
logging.getLogger("mkdocs").addHandler(Keep(logging.INFO))
logging.getLogger("mkdocs").setLevel(logging.INFO)
from mkdocs.commands.build import build
from mkdocs.config import load_config
build(load_config("mkdocs.yml"))
print(json.dumps({
    "seconds": sum(spent),
    "cpu": sum(cpu),
    "build_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    "search": [line for line in lines if "search:" in line],
}))
"""

# Pagefind's binary run by a process of its own, so that its peak memory is its own.
_WRAPPER = """#!{python}
import json, os, resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.call([{binary!r}, *sys.argv[1:]])
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
with open({log!r}, "a") as log:
    log.write(json.dumps({{
        "args": sys.argv[1:],
        "seconds": time.perf_counter() - start,
        "cpu": usage.ru_utime + usage.ru_stime,
        "kib": usage.ru_maxrss,
    }}) + "\\n")
sys.exit(code)
"""

# ru_maxrss is in KiB on Linux, in bytes on macOS.
MIB = 1024 * 1024 if sys.platform == "darwin" else 1024


def wrapper(folder: Path) -> tuple[Path, Path]:
    """A stand-in for Pagefind's binary that logs each run; returns it and its log."""
    from pagefind.service import get_executable

    binary, log = get_executable(), folder / "pagefind-runs.jsonl"
    script = folder / "pagefind"
    script.write_text(_WRAPPER.format(python=sys.executable, binary=str(binary), log=str(log)))
    script.chmod(0o755)
    return script, log


def read_runs(log: Path) -> list[dict[str, Any]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text("utf-8").splitlines()]


def build(root: Path, pagefind: tuple[Path, Path]) -> dict[str, object]:
    """One `mkdocs build` in a fresh process; its search step and every Pagefind run in it."""
    script, log = pagefind
    log.unlink(missing_ok=True)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PAGEFIND_BINARY_PATH": str(script)}
    proc = subprocess.run(
        [sys.executable, "-c", _BUILD], cwd=root, env=env, capture_output=True, text=True
    )
    if proc.returncode:
        raise RuntimeError(f"mkdocs build failed in {root}:\n{proc.stderr[-4000:]}")
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    runs = read_runs(log)
    indexing = [run for run in runs if "--site" in run["args"] or "--service" in run["args"]]
    result["indexer_cpu"] = sum(run["cpu"] for run in runs)
    result["indexer_kib"] = max((run["kib"] for run in indexing), default=0)
    result["runs"] = len(indexing)
    return result


def whole_site(root: Path, out: Path, pagefind: tuple[Path, Path]) -> dict[str, Any]:
    """One Pagefind run over the whole site, as statuskit ran it before the bundles."""
    script, log = pagefind
    log.unlink(missing_ok=True)
    command = [str(script), "--site", str(root / "site"), "--silent", "--output-path", str(out)]
    subprocess.run(command, check=True)
    (run,) = read_runs(log)
    return run


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 10_000
    rows: list[tuple[str, str, str]] = []

    def report(figure: str, value: str, command: str) -> None:
        rows.append((figure, value, command))
        print(f"{figure}: {value}    ({command})", flush=True)

    def figures(name: str, result: dict[str, object], command: str) -> None:
        seconds, cpu = float(str(result["seconds"])), float(str(result["indexer_cpu"]))
        own = float(str(result["cpu"]))
        indexer = int(str(result["indexer_kib"])) / MIB
        process = int(str(result["build_kib"])) / MIB
        runs = result["runs"]
        report(
            f"{name}: search step",
            f"{seconds:.1f} s (CPU: statuskit {own:.1f} s, {runs} Pagefind run(s) {cpu:.1f} s)",
            command,
        )
        report(
            f"{name}: peak memory",
            f"Pagefind {indexer:.0f} MiB, MkDocs process {process:.0f} MiB",
            command,
        )
        for line in result["search"] if isinstance(result["search"], list) else []:
            print(f"    {line}")

    with tempfile.TemporaryDirectory(prefix=f"statuskit-search-{n}-") as tmp:
        root = Path(tmp) / "site"
        generate(root, n, 0, ("en", "ko"))
        pagefind = wrapper(Path(tmp))
        figures(f"clean build, {n} incidents, one locale", build(root, pagefind), "mkdocs build")

        incident = sorted(root.glob("incidents/*/*-open-*.md"))[0].stem
        update = ["update", incident, "-s", "identified", "-m", "Cause found."]
        subprocess.run([sys.executable, "-m", "statuskit.cli.main", *update], cwd=root, check=True)
        figures(
            f"warm build after one update, {n} incidents, one locale",
            build(root, pagefind),
            "statuskit update … && mkdocs build",
        )

        run = whole_site(root, Path(tmp) / "whole", pagefind)
        seconds, peak, cpu = run["seconds"], run["kib"] / MIB, run["cpu"]
        report(
            f"one Pagefind run over the whole site, {n} incidents (before the bundles)",
            f"{seconds:.1f} s ({cpu:.1f} s CPU), {peak:.0f} MiB",
            "pagefind --site site",
        )

    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
