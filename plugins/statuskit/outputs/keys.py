"""Keys of what an output shows, so a build can tell an unchanged output without rendering it.

A key digests the values one output (a file, or a part of one) shows beyond what the whole
build shares (the locale, the address, the site's name, settings and catalog: see
`render.output_context`). The adapter adds statuskit's code and the libraries' versions and
decides what to reuse; equal keys in equal builds give equal bytes, and a different pickle of
equal values only costs a render.
"""

from __future__ import annotations

import copyreg
import hashlib
import io
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timezone
from pathlib import PosixPath, PurePath, PurePosixPath, PureWindowsPath, WindowsPath
from typing import Any

from ..core.model import Incident, by_source


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


def _nowhere(path: PurePath) -> tuple[type[PurePath], tuple[()]]:
    return PurePath, ()


def _timezone(zone: timezone) -> tuple[type[timezone], tuple[Any, ...]]:
    return timezone, zone.__getinitargs__()  # type: ignore[attr-defined]


# Where a file lies is no part of any output (the same history checked out elsewhere gives the
# same keys); an incident read from files is written as its sources' digest. A fixed offset is
# written by its arguments: pickle's own way asks copyreg for the type's slot names each time,
# in Python, and every time read from a file has its own offset.
_REDUCERS: dict[type, Callable[[Any], Any]] = {
    **copyreg.dispatch_table,
    PosixPath: _nowhere,
    WindowsPath: _nowhere,
    PurePosixPath: _nowhere,
    PureWindowsPath: _nowhere,
    timezone: _timezone,
    Incident: by_source,
}


def digest(value: object) -> str:
    """The key of plain values (dataclasses of the model, times, text), paths left out."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.dispatch_table = _REDUCERS
    pickler.dump(value)
    return hashlib.blake2b(buffer.getbuffer(), digest_size=20).hexdigest()
