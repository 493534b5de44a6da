"""Time `statuskit import statuspage` of a synthetic history saved as Statuspage serves it.

Usage: python benchmarks/importing.py [N ...]   (default: 300 1000)

For each size the corpus (benchmarks/corpus.py) is exported as api/v2 folders of 50 incidents
and Atom feeds of 25, then imported into an empty site in one call, then imported again (which
changes nothing). Prints figures; asserts nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import export_statuspage, generate

DEFAULT_SIZES = (300, 1000)


def run_import(site: Path, sources: list[Path]) -> float:
    """One `statuskit import statuspage` in a subprocess; returns its wall seconds."""
    command = [sys.executable, "-m", "statuskit.cli.main", "import", "statuspage"]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    proc = subprocess.run(
        [*command, *map(str, sources)], cwd=site, env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    if proc.returncode:
        raise RuntimeError(f"import failed in {site}:\n{proc.stdout[-2000:]}{proc.stderr}")
    return seconds


def measure(n: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix=f"statuskit-import-{n}-") as tmp:
        root = Path(tmp)
        generate(root / "corpus", n)
        export = export_statuspage(root / "corpus", root / "export")
        figures: dict[str, float] = {}
        for label, sources in (("api", export.api), ("feeds", export.feeds)):
            site = root / f"site-{label}"
            (site / "docs").mkdir(parents=True)
            shutil.copy(root / "corpus" / "mkdocs.yml", site / "mkdocs.yml")
            figures[f"{label} first"] = run_import(site, sources)
            figures[f"{label} again"] = run_import(site, sources)
        figures["copies"] = len(export.api) + len(export.feeds)
    return figures


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or list(DEFAULT_SIZES)
    print(
        f"{'N':>6} {'copies':>7} {'api s':>7} {'api again':>10} {'feeds s':>8} "
        f"{'feeds again':>12} {'ms/incident (api)':>18}",
        flush=True,
    )
    for n in sizes:
        try:
            f = measure(n)
        except RuntimeError as exc:
            print(exc, file=sys.stderr)
            return 1
        print(
            f"{n:>6} {int(f['copies']):>7} {f['api first']:>7.2f} {f['api again']:>10.2f} "
            f"{f['feeds first']:>8.2f} {f['feeds again']:>12.2f} "
            f"{1000 * f['api first'] / n:>18.2f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
