"""Placeholder: replaced by the zipimport mirror."""

from __future__ import annotations

from typing import Any

from ._config import CoreConfig


def zip_finder(entry: str, config: CoreConfig) -> Any:
    return None
