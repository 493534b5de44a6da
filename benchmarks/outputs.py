"""Seconds the machine-readable outputs cost a build of a large site; prints, asserts nothing.

Usage: python benchmarks/outputs.py [N]   (default: 10000 incidents)

On a corpus of N incidents (benchmarks/corpus.py), one locale (`mkdocs build`, the build cache
on), each figure with the command that gives it:

1. a clean build (empty cache);
2. a warm build after `statuskit update` on an open incident;
3. a warm build with nothing changed.

For each: the seconds of the outputs step (feeds, the JSON API, the calendar and the badges:
rendering what changed, linking what the output cache kept, writing into the site folder), the
seconds MkDocs spends copying its static files (the theme's, and the outputs handed to it), both
with processor seconds beside them, and the build's `outputs:` log line (files and calendar
events reused and rendered). The outputs step is the plugin's call of `write_outputs`, done in
the build's own process (a build writes the per-incident files from a child process beside the
rendering; here the step's own cost is measured); a checkout
from before the output cache has `render_outputs` there instead (every file rendered and handed
to MkDocs, which copies it), so the same command, run with that checkout first on `PYTHONPATH`,
measures it. Each build runs in a fresh child process; times are wall-clock seconds on this
machine as it is.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build import print_table
from corpus import generate

# One build in this process; the outputs step and MkDocs' copying timed by wrapping them.
_BUILD = """
import json, logging, sys, time
from mkdocs.structure.files import Files
from statuskit.adapter import plugin
spent = {"outputs": [0.0, 0.0], "copy": [0.0, 0.0]}
def timed(name, real):
    def run(*args, **kwargs):
        start, processor = time.perf_counter(), time.process_time()
        try:
            return real(*args, **kwargs)
        finally:
            spent[name][0] += time.perf_counter() - start
            spent[name][1] += time.process_time() - processor
    return run
step = "write_outputs" if hasattr(plugin, "write_outputs") else "render_outputs"
try:  # the step's own cost: written here, not by a child beside the rendering
    from statuskit.adapter import processes
    processes.spare_cores = lambda: 0
except ImportError:
    pass
setattr(plugin, step, timed("outputs", getattr(plugin, step)))
Files.copy_static_files = timed("copy", Files.copy_static_files)
lines = []
class Keep(logging.Handler):
    def emit(self, record):
        lines.append(record.getMessage())
logging.getLogger("mkdocs").addHandler(Keep(logging.INFO))
logging.getLogger("mkdocs").setLevel(logging.INFO)
from mkdocs.commands.build import build
from mkdocs.config import load_config
start = time.perf_counter()
build(load_config("mkdocs.yml"))
print(json.dumps({
    "step": step,
    "build": time.perf_counter() - start,
    **spent,
    "log": [line for line in lines if "outputs:" in line],
}))
"""


def build(root: Path) -> dict[str, object]:
    """One `mkdocs build` in a fresh process: its outputs step and MkDocs' copying."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", _BUILD], cwd=root, env=env, capture_output=True, text=True
    )
    if proc.returncode:
        raise RuntimeError(f"mkdocs build failed in {root}:\n{proc.stderr[-4000:]}")
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 10_000
    rows: list[tuple[str, str, str]] = []

    def report(name: str, result: dict[str, object], command: str) -> None:
        outputs, copy = result["outputs"], result["copy"]
        assert isinstance(outputs, list) and isinstance(copy, list)
        both = outputs[0] + copy[0]
        value = (
            f"{both:.2f} s: outputs step ({result['step']}) {outputs[0]:.2f} s "
            f"({outputs[1]:.2f} s CPU) + MkDocs copying {copy[0]:.2f} s ({copy[1]:.2f} s CPU); "
            f"whole build {float(str(result['build'])):.1f} s"
        )
        rows.append((name, value, command))
        print(f"{name}: {value}    ({command})", flush=True)
        for line in result["log"] if isinstance(result["log"], list) else []:
            print(f"    {line}")

    with tempfile.TemporaryDirectory(prefix=f"statuskit-outputs-{n}-") as tmp:
        root = Path(tmp) / "site"
        generate(root, n, 0, ("en", "ko"))
        report(f"clean build, {n} incidents, one locale", build(root), "mkdocs build")

        incident = sorted(root.glob("incidents/*/*-open-*.md"))[0].stem
        update = ["update", incident, "-s", "identified", "-m", "Cause found."]
        subprocess.run([sys.executable, "-m", "statuskit.cli.main", *update], cwd=root, check=True)
        report(
            f"warm build after one update, {n} incidents, one locale",
            build(root),
            "statuskit update … && mkdocs build",
        )
        report(
            f"warm build, nothing changed, {n} incidents, one locale",
            build(root),
            "mkdocs build",
        )

    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
