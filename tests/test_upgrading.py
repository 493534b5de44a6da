"""Upgrading statuskit: a renamed option keeps working, and the message names its new name."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from click.testing import CliRunner
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

from conftest import SiteProject
from statuskit.adapter import config as plugin_config
from statuskit.cli.main import main

RENAMED = [
    (name, option.moved_to, owner)
    for owner in (plugin_config.StatuskitConfig, plugin_config.PoliciesConfig)
    for name, option in owner._schema
    if getattr(option, "moved_to", None)
]


def test_every_renamed_option_is_in_the_upgrading_guide() -> None:
    guide = (Path(__file__).resolve().parent.parent / "docs" / "upgrading.md").read_text("utf-8")
    assert RENAMED, "no renamed options declared"
    for old, new, _ in RENAMED:
        assert f"`{old}`" in guide and f"`{new}`" in guide, old


def test_a_renamed_policy_still_applies_with_a_warning_naming_the_new_option(
    project: SiteProject, caplog: pytest.LogCaptureFixture
) -> None:
    project.configure(policies={"stale_update_minutes": 45})
    with caplog.at_level(logging.WARNING):
        config = load_config(str(project.root / "mkdocs.yml"))
    policies = config.plugins["statuskit"].config.policies
    assert policies.default_cadence_minutes == 45
    warnings = " ".join(r.getMessage() for r in caplog.records)
    assert "'stale_update_minutes'" in warnings
    assert "'policies.default_cadence_minutes'" in warnings


def test_a_strict_build_refuses_the_old_name_and_says_the_new_one(
    project: SiteProject, caplog: pytest.LogCaptureFixture
) -> None:
    project.configure(policies={"stale_update_minutes": 45})
    with caplog.at_level(logging.WARNING), pytest.raises(Abort):
        project.build(strict=True)
    assert "policies.default_cadence_minutes" in caplog.text


def test_statuskit_commands_read_the_renamed_option(
    project: SiteProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.configure(policies={"stale_update_minutes": 45})
    monkeypatch.chdir(project.root)
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 0, result.output
