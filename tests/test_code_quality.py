"""The code stays lint-clean, typed, and the core stays free of MkDocs."""

from __future__ import annotations

import json
import subprocess
import sys

from jsonschema import Draft202012Validator

from conftest import ROOT
from statuskit.core.loader import incident_schema

# Every module that must load without MkDocs: all but the adapter and the command line.
CORE_MODULES = sorted(
    "statuskit." + ".".join(path.relative_to(ROOT / "plugins/statuskit").with_suffix("").parts)
    for layer in ("core", "views", "outputs", "importers")
    for path in (ROOT / "plugins/statuskit" / layer).glob("*.py")
    if path.name != "__init__.py"
)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)


def test_core_does_not_import_mkdocs() -> None:
    code = (
        "import sys, json\n"
        f"for m in {CORE_MODULES!r}: __import__(m)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('mkdocs', 'material'))))"
    )
    result = run(sys.executable, "-c", code)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_ruff_lint_and_format() -> None:
    lint = run(sys.executable, "-m", "ruff", "check", "plugins", "tests", "benchmarks")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    fmt = run(sys.executable, "-m", "ruff", "format", "--check", "plugins", "tests", "benchmarks")
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_mypy_strict() -> None:
    result = run(sys.executable, "-m", "mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_shipped_incident_schema_is_valid() -> None:
    Draft202012Validator.check_schema(incident_schema())
