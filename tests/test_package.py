"""The released package: a wheel built from this tree carries everything statuskit reads at run
time, and installed alone in a fresh virtual environment (no source checkout) it starts, checks
and builds a new status site."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

import statuskit
from conftest import ROOT

PACKAGE = ROOT / "plugins" / "statuskit"
RESOURCE_DIRS = ("templates", "locales", "schema", "assets")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
    )
    (built,) = out.glob("statuskit-*.whl")
    return built


def test_the_wheel_carries_every_run_time_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    tracked = subprocess.run(
        ["git", "ls-files", *(f"plugins/statuskit/{d}" for d in RESOURCE_DIRS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    expected = {"statuskit/" + str(Path(p).relative_to("plugins/statuskit")) for p in tracked}
    modules = {
        "statuskit/" + str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if "__pycache__" not in p.parts
    }
    assert expected, "no resource files found"
    assert not (expected | modules | {"statuskit/py.typed"}) - names
    assert f"statuskit-{statuskit.__version__}.dist-info/entry_points.txt" in names


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with only the wheel (and its dependencies) installed."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.create(env_dir, with_pip=True)
    pip = [str(env_dir / "bin" / "python"), "-m", "pip", "install", "-q"]
    subprocess.run([*pip, str(wheel)], check=True, capture_output=True, text=True)
    return env_dir / "bin"


def run(bin_dir: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A command of the installed package, with nothing of this checkout on its paths."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
    }
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["NO_MKDOCS_2_WARNING"] = "1"
    return subprocess.run(
        [str(bin_dir / args[0]), *args[1:]],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_installed_package_runs_without_the_source(installed: Path, tmp_path: Path) -> None:
    version = run(installed, tmp_path, "statuskit", "--version")
    assert version.returncode == 0, version.stderr
    assert statuskit.__version__ in version.stdout
    where = run(installed, tmp_path, "python", "-c", "import statuskit; print(statuskit.__file__)")
    assert str(ROOT) not in where.stdout and "site-packages" in where.stdout, where.stdout
