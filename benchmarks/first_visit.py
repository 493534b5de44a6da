"""Bytes a reader's browser downloads on a first visit to the home page, by history size.

Usage: python benchmarks/first_visit.py [N ...]   (default: 1000 10000)

For each N it writes a corpus (`corpus.generate`), builds it with `mkdocs build` in a child
process, serves the site on 127.0.0.1 and opens the home page in Debian's chromium (Playwright,
an empty cache), then counts every response's body: HTML, CSS, JavaScript, fonts, images, and
any search index. It then types nothing: search is downloaded only when a reader searches.
Prints figures and asserts nothing; exits non-zero only when a build or the browser fails.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import generate

DEFAULT_SIZES = (1000, 10000)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def build(root: Path) -> float:
    """`mkdocs build` of the corpus at root; returns wall seconds."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=root, env=env, check=True)
    return time.perf_counter() - start


def first_visit(site: Path) -> tuple[int, Counter[str], list[str]]:
    """Total bytes, bytes by kind, and the URLs a first visit to the home page downloads."""
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_Quiet, directory=str(site))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    sizes: Counter[str] = Counter()
    urls: list[str] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 390, "height": 844})
            responses: list[Any] = []
            page.on("response", lambda response: responses.append(response))
            page.goto(base, wait_until="networkidle")
            page.wait_for_timeout(1000)
            for response in responses:
                if response.url.startswith("data:"):
                    continue
                body = response.body()
                kind = response.request.resource_type
                sizes[kind] += len(body)
                urls.append(f"{len(body):>10,}  {response.url.removeprefix(base) or '/'}")
            browser.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
    return sum(sizes.values()), sizes, urls


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or list(DEFAULT_SIZES)
    results: list[tuple[int, int]] = []
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix=f"statuskit-visit-{n}-") as tmp:
            root = Path(tmp)
            generate(root, n)
            seconds = build(root)
            total, kinds, urls = first_visit(root / "site")
            index = root / "site" / "search" / "search_index.json"
            print(f"N = {n:,} incidents (build {seconds:.1f} s)")
            print("\n".join(urls))
            by_kind = ", ".join(f"{k} {v:,}" for k, v in sorted(kinds.items()))
            print(f"  first visit: {total:,} bytes ({by_kind})")
            if index.exists():
                print(f"  Material's whole-site index, not downloaded: {index.stat().st_size:,}")
            print()
            results.append((n, total))
    print(f"{'incidents':>10}  {'first visit (bytes)':>20}")
    for n, total in results:
        print(f"{n:>10,}  {total:>20,}")
    if len(results) >= 2:
        (n1, small), (n2, large) = results[0], results[-1]
        print(f"difference {n1:,} -> {n2:,}: {100 * (large - small) / small:+.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
