"""The site generator: MkDocs 1.6 where it is installed, else ProperDocs (its drop-in fork) alone.

`.ci/run` runs the whole suite twice: with MkDocs, and with ProperDocs and no `mkdocs`
distribution at all; these tests say which one each run used and that the plugin is found by both.
"""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys

import mkdocs.plugins

from conftest import ROOT
from statuskit.adapter import generator


def installed(name: str) -> bool:
    try:
        importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def test_the_generator_is_the_installed_one() -> None:
    expected = "MkDocs" if installed("mkdocs") else "ProperDocs"
    name: str = generator.NAME
    assert name == expected
    # With ProperDocs alone, every `mkdocs.*` import (the plugin's, Material's) is ProperDocs'.
    module = mkdocs.plugins.__name__
    assert module == ("mkdocs.plugins" if expected == "MkDocs" else "properdocs.plugins")


def test_the_plugin_is_registered_for_both_generators() -> None:
    for group in ("mkdocs.plugins", "properdocs.plugins"):
        found = [e for e in importlib.metadata.entry_points(group=group) if e.name == "statuskit"]
        assert [e.value for e in found] == ["statuskit.adapter.plugin:StatuskitPlugin"], group


def test_the_command_line_starts_with_either_generator() -> None:
    """A fresh interpreter: nothing imported the generator before statuskit's own modules."""
    result = subprocess.run(
        [sys.executable, "-m", "statuskit.cli.main", "validate", "-f", "mkdocs.yml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert "incident file(s) read" in result.stdout + result.stderr
