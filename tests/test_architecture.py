"""The layers of docs/architecture.md hold: import-linter checks the contracts in pyproject.toml."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = ROOT / "plugins" / "statuskit"


def lint_imports(package_parent: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter on the statuskit package found in `package_parent`."""
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    code = "import sys; from importlinter.cli import lint_imports_command; lint_imports_command()"
    return subprocess.run(
        [sys.executable, "-c", code, "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=package_parent,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_package_keeps_every_import_contract() -> None:
    result = lint_imports(ROOT / "plugins")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


# (module to edit, line added to it, the contract that must then break)
VIOLATIONS = [
    ("core/model.py", "import mkdocs  # noqa", "The core needs no site generator"),
    ("core/status.py", "import click  # noqa", "The core needs no site generator"),
    ("core/loader.py", "from ..views import pages  # noqa", "Each layer imports only"),
    ("views/pages.py", "from ..adapter import plugin  # noqa", "Each layer imports only"),
    ("outputs/feeds.py", "from ..cli import main  # noqa", "Each layer imports only"),
    ("importers/writer.py", "from ..outputs import api  # noqa", "Importers use only the core"),
    ("core/model.py", "from . import postmortems  # noqa", "No import cycles"),
]


@pytest.mark.parametrize(("module", "line", "contract"), VIOLATIONS)
def test_a_forbidden_import_breaks_its_contract(
    tmp_path: Path, module: str, line: str, contract: str
) -> None:
    copy = tmp_path / "statuskit"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    target = copy / module
    target.write_text(target.read_text("utf-8") + f"\n{line}\n", "utf-8")
    result = lint_imports(tmp_path)
    assert result.returncode != 0, result.stdout
    broken = [row for row in result.stdout.splitlines() if row.endswith("BROKEN")]
    assert any(contract in row for row in broken), result.stdout
