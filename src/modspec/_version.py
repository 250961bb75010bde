"""modspec's version, on its own so that the application can name it without the package root."""

from __future__ import annotations

__version__ = "0.1.0"
