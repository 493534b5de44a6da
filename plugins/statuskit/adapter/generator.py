"""The site generator: MkDocs 1.6, or ProperDocs (its drop-in fork) where MkDocs is not installed.

Every statuskit module reaches the generator through this one. ProperDocs ships MkDocs 1.6's API
as the package `properdocs`; importing `properdocs.replacement` makes every later `mkdocs.*` import
(statuskit's plugin, Material's theme and plugins) load ProperDocs' module of the same name, as
the `properdocs` command does before it loads any plugin.
"""

from __future__ import annotations

import importlib.util

if importlib.util.find_spec("mkdocs") is None:
    try:
        import properdocs.replacement  # noqa: F401 (answers `mkdocs.*` imports from now on)
    except ModuleNotFoundError:
        raise ImportError(
            "statuskit needs MkDocs 1.6 or ProperDocs: pip install 'mkdocs>=1.6.1,<2' "
            "(or pip install properdocs)"
        ) from None

import mkdocs
from mkdocs.commands.build import build
from mkdocs.commands.serve import serve
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, ConfigurationError, MkDocsException, PluginError

#: Which generator builds the site, for messages.
NAME = "ProperDocs" if mkdocs.__name__ == "properdocs" else "MkDocs"
#: The logger its own messages go to (a failed build's errors): `mkdocs` or `properdocs`.
LOGGER = mkdocs.__name__

__all__ = [
    "LOGGER",
    "NAME",
    "Abort",
    "ConfigurationError",
    "MkDocsException",
    "PluginError",
    "build",
    "load_config",
    "serve",
]
