"""Importers: a status page's whole history read from Atlassian Statuspage or cState and written
as incident files.

May import: `statuskit.core` only (the model, file reading and validation). Never MkDocs, click, the
views, the outputs, the adapter or the CLI; `statuskit.cli.importing` is their command line.
"""
