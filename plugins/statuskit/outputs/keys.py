"""Keys of what an output shows, so a build can tell an unchanged output without rendering it.

A key digests the values one output (a file, or a part of one) shows beyond what the whole
build shares (the locale, the address, the site's name, settings and catalog: see
`render.output_context`). The adapter adds statuskit's code and the libraries' versions and
decides what to reuse; equal keys in equal builds give equal bytes, and a different pickle of
equal values only costs a render.
"""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..core.model import Incident


@dataclass(frozen=True)
class KeyedFiles:
    """Files rendered together whose bytes depend only on `key` and the build's context."""

    paths: tuple[str, ...]
    key: str
    render: Callable[[], dict[str, bytes]]


# Given a key and how to render a part, its bytes: rendered now, or kept from an earlier build.
Memo = Callable[[str, Callable[[], bytes]], bytes]


def no_memo(key: str, render: Callable[[], bytes]) -> bytes:
    """Render every part: a build without a cache."""
    return render()


def digest(value: object) -> str:
    """The key of plain values (dataclasses of the model, times, text)."""
    return hashlib.blake2b(pickle.dumps(value, protocol=5), digest_size=20).hexdigest()


def without_paths(incident: Incident) -> Incident:
    """The incident as outputs show it: where its files lie is no part of any output."""
    postmortem = incident.postmortem
    if postmortem is not None:
        postmortem = dataclasses.replace(postmortem, path=Path())
    return dataclasses.replace(incident, path=Path(), postmortem=postmortem)
