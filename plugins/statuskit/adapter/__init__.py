"""The MkDocs adapter: the plugin's options, its life cycle, the theme layer over Material and one
build of one target. The only place that speaks MkDocs' (or ProperDocs') plugin API.

May import: MkDocs 1.6's public API, `statuskit.core`, `statuskit.views`, `statuskit.outputs`. Never
the CLI or the importers.
"""

# First, so that every `mkdocs.*` import of the adapter also works with ProperDocs alone.
from . import generator

__all__ = ["generator"]
