"""`statuskit init`, then `statuskit import`, then `statuskit build`: no folder made by hand."""

from __future__ import annotations

import re
import shutil
import subprocess
import sysconfig
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

import statuskit
from conftest import ROOT
from demo_site import require
from statuskit.cli.main import load_settings, main
from statuskit.core.site import validate

CSTATE = ROOT / "tests" / "fixtures" / "cstate"


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def workflow(path: Path) -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load(path.read_text("utf-8"))
    if True in data:  # YAML 1.1 reads the key `on` as true
        data["on"] = data.pop(True)
    return data


def runs(data: dict[Any, Any]) -> str:
    """Every `run:` script of a workflow, one after the other."""
    return "\n".join(
        str(step.get("run", "")) for job in data["jobs"].values() for step in job.get("steps", [])
    )


def test_init_then_import_then_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "status"
    result = cli("init", str(site), "--site-name", "Tidewater Status", "--timezone", "Asia/Seoul")
    assert result.exit_code == 0, result.output
    assert (site / "incidents").is_dir() and (site / "docs").is_dir()
    settings = load_settings(site / "mkdocs.yml")
    assert [c.id for c in settings.components] == ["website"]
    assert settings.timezone.key == "Asia/Seoul"
    monkeypatch.chdir(site)

    imported = cli("import", "cstate", str(CSTATE), "--write-components")
    # The fixture's newest issue was left open on cState for months: named, with its line.
    named = r"incidents/2025/2025-02-26-[\w-]+\.md:\d+: the incident is still"
    assert re.search(named, imported.output), imported.output
    forgotten = next(p for p in validate(load_settings(Path("mkdocs.yml")))[1] if p.is_error)
    incident_id = Path(forgotten.path).stem
    assert cli("resolve", incident_id, "-m", "Signing in to search works again.").exit_code == 0

    assert cli("validate").exit_code == 0
    built = cli("build")
    assert built.exit_code == 0, built.output
    home = (site / "site" / "index.html").read_text("utf-8")
    assert "Tidewater Status" in home
    assert (site / "site" / "incidents" / incident_id / "index.html").is_file()
    assert (site / "site" / "api" / "v2" / "incidents.json").is_file()


def test_init_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    site = tmp_path / "status"
    assert cli("init", str(site)).exit_code == 0
    config = site / "mkdocs.yml"
    config.write_text(config.read_text("utf-8") + "# my own change\n", "utf-8")
    again = cli("init", str(site))
    assert again.exit_code != 0
    assert "mkdocs.yml" in again.output and "--force" in again.output
    assert config.read_text("utf-8").endswith("# my own change\n")
    forced = cli("init", str(site), "--force")
    assert forced.exit_code == 0 and "overwrote:" in forced.output
    assert "# my own change" not in config.read_text("utf-8")


def test_bad_options_are_refused_with_the_fix(tmp_path: Path) -> None:
    zone = cli("init", str(tmp_path / "a"), "--timezone", "Seoul")
    assert zone.exit_code != 0 and "IANA" in zone.output
    url = cli("init", str(tmp_path / "b"), "--site-url", "status.example.com")
    assert url.exit_code != 0 and "https://status.example.com/" in url.output
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_the_workflows_check_pull_requests_and_publish(tmp_path: Path) -> None:
    site = tmp_path / "status"
    cli("init", str(site), "--site-name", 'Quotes "and" colons: fine')
    assert load_settings(site / "mkdocs.yml") is not None
    requirements = (site / "requirements.txt").read_text("utf-8")
    assert f"statuskit=={statuskit.__version__}" in requirements
    pr = workflow(site / ".github/workflows/pr.yml")
    assert "pull_request" in pr["on"]
    script = runs(pr)
    assert "pip install -r requirements.txt" in script
    assert "statuskit validate --format github" in script
    assert "statuskit build --strict" in script
    assert "statuskit pr-summary" in script
    deploy = workflow(site / ".github/workflows/deploy.yml")
    assert deploy["on"]["push"]["branches"] == ["main"]
    assert deploy["on"]["schedule"]
    assert "statuskit build" in runs(deploy)
    assert any(
        step.get("uses", "").startswith("actions/deploy-pages")
        for step in deploy["jobs"]["deploy"]["steps"]
    )
    linter = shutil.which("actionlint", path=sysconfig.get_path("scripts")) or shutil.which(
        "actionlint"
    )
    require(linter is not None, "actionlint (test extras)")
    assert linter is not None
    checked = subprocess.run(
        [linter, "-no-color", ".github/workflows/pr.yml", ".github/workflows/deploy.yml"],
        cwd=site,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
