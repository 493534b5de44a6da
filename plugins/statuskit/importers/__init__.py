"""Importers that move a status page's whole history in from Atlassian Statuspage or cState."""

from .cli import import_group

__all__ = ["import_group"]
