"""The released package: a wheel built from this tree carries everything statuskit reads at run
time, and installed alone in a fresh virtual environment (no source checkout) it starts, checks
and builds a new status site."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import venv
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

import statuskit
from conftest import ROOT
from test_workflows import Runner, git

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


# A status repository of its own ---------------------------------------------------------------

DEMO = ("mkdocs.yml", "incidents", "pages", "overrides")


def load_workflow(path: Path) -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load(path.read_text("utf-8"))
    if True in data:  # YAML 1.1 reads the key `on` as true
        data["on"] = data.pop(True)
    return data


@pytest.fixture(scope="module")
def site_repository(installed: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What a company keeps: `statuskit init`'s files with the demo's config, incidents and
    pages, on main, and a pull request that posts an update with `statuskit update`."""
    parent = tmp_path_factory.mktemp("company")
    made = run(installed, parent, "statuskit", "init", "status", "--site-name", "Status")
    assert made.returncode == 0, made.stderr
    root = parent / "status"
    shutil.rmtree(root / "docs")
    (root / "mkdocs.yml").unlink()
    for name in DEMO:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name, dirs_exist_ok=True)
        else:
            shutil.copy2(source, root / name)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "ci@example.invalid")
    git(root, "config", "user.name", "CI")
    git(root, "config", "commit.gpgsign", "false")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "main")
    git(root, "update-ref", "refs/remotes/origin/main", "HEAD")
    git(root, "checkout", "-q", "-b", "pull-request")
    open_incident = next(
        path.stem
        for path in sorted((root / "incidents").rglob("*.md"), reverse=True)
        if path.name.count(".") == 1
        and path.name != "README.md"
        and "status: resolved" not in path.read_text("utf-8")
    )
    posted = run(
        installed,
        root,
        "statuskit",
        "update",
        open_incident,
        "-s",
        "identified",
        "-m",
        "The code provider confirmed a queue backlog; codes are being sent again.",
    )
    assert posted.returncode == 0, posted.stdout + posted.stderr
    git(root, "commit", "-qam", "Post an update")
    return root


def test_init_pins_the_release_that_wrote_it(site_repository: Path) -> None:
    requirements = (site_repository / "requirements.txt").read_text("utf-8")
    assert f"statuskit=={statuskit.__version__}" in requirements.splitlines()
    assert not (site_repository / "pyproject.toml").exists()
    assert not (site_repository / "plugins").exists() and not (site_repository / "tests").exists()


def test_the_pull_request_check_passes_fast_from_the_wheel(
    site_repository: Path, wheel: Path, tmp_path: Path
) -> None:
    python_env = tmp_path / "python"
    venv.create(python_env, with_pip=True, symlinks=True)
    cache = subprocess.run(
        [sys.executable, "-m", "pip", "cache", "dir"], capture_output=True, text=True, check=False
    ).stdout.strip()
    links = " ".join(filter(None, [os.environ.get("PIP_FIND_LINKS", ""), str(wheel.parent)]))
    runner = Runner(
        site_repository,
        tmp_path / "work",
        python_env,
        {
            "event_name": "pull_request",
            "base_ref": "main",
            "head_ref": "pull-request",
            "ref": "refs/pull/7/merge",
            "event": {"pull_request": {"number": 7}},
        },
        extra_env={"PIP_FIND_LINKS": links, **({"PIP_CACHE_DIR": cache} if cache else {})},
    )
    start = time.perf_counter()
    runner.run(load_workflow(site_repository / ".github" / "workflows" / "pr.yml"))
    seconds = time.perf_counter() - start
    print(f"\npull-request check of the demo from the wheel: {seconds:.1f} s")
    commands = runner.commands()
    assert any("statuskit validate --format github" in c for c in commands)
    assert any("statuskit build --strict" in c for c in commands)
    assert not any("pytest" in c or ".ci/run" in c for c in commands)
    assert (runner.artifacts / "preview-site" / "index.html").is_file()
    summary = "".join(runner.summaries.values())
    assert "identified" in summary.lower() or "update" in summary.lower(), summary
