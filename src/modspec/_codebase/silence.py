"""Findings a project has chosen to live with: `[tool.modspec] ignore = [...]` module patterns
and `# modspec: ignore` / `# modspec: ignore[rule, ...]` comments on an import's line."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence

from .._paths import read_regular
from .extract import MARK
from .reading import SOURCE_LIMIT
from .wildmatch import compile_glob

__all__ = ["Silencer"]

# `# modspec: ignore` or `# modspec: ignore[unresolved, shadowed]`, anywhere in a comment,
# spelled with extract.MARK, which the scan notes per file (FileImports.marked): a file
# without it is never read here. Linear: no nested repetition.
_COMMENT = re.compile(rf"#[^\n]*?\b{re.escape(MARK.decode())}\s*ignore(?:\[([^\]\n]*)\])?")


class Silencer:
    """Decides whether a finding is silenced, and says by what."""

    def __init__(self, patterns: Iterable[str], marked: Collection[str] | None = None) -> None:
        """``marked``: the only files that may hold a comment (None: any file may)."""
        # A pattern names a module and everything under it ("selenium" is selenium and
        # selenium.webdriver); "*" and "?" match within the name, dots included.
        self._patterns = [(pattern, compile_glob(pattern, True)) for pattern in patterns]
        self._lines: dict[str, Sequence[str] | None] = {}
        self._marked = marked

    def by_pattern(self, name: str) -> str | None:
        """The `ignore` entry that covers module ``name``, as the report names it."""
        for pattern, glob in self._patterns:
            if name == pattern or name.startswith(pattern + ".") or glob.match([name]):
                return f"tool.modspec.ignore: {pattern}"
        return None

    def by_comment(self, path: str, line: int, rule: str) -> str | None:
        """The `# modspec: ignore` comment on ``line`` of ``path`` that covers ``rule``."""
        if self._marked is not None and path not in self._marked:
            return None  # no "modspec:" in it, so no comment that silences
        lines = self._read(path)
        if lines is None or not 0 < line <= len(lines):
            return None
        found = _COMMENT.search(lines[line - 1])
        if found is None:
            return None
        rules = found.group(1)
        if rules is None or rule in {word.strip() for word in rules.split(",")}:
            return "# modspec: ignore" if rules is None else f"# modspec: ignore[{rule}]"
        return None

    def finding(self, name: str, path: str | None, line: int, rule: str) -> str | None:
        """Why the finding of ``rule`` on module ``name`` (at ``path``:``line``, if it has
        a place) is silenced; None if it stands."""
        by_pattern = self.by_pattern(name)
        if by_pattern is not None or path is None:
            return by_pattern
        return self.by_comment(path, line, rule)

    def _read(self, path: str) -> Sequence[str] | None:
        # Only files with a finding are read again, each once; bounded like the scan.
        if path not in self._lines:
            try:
                text = read_regular(path, SOURCE_LIMIT).decode("utf-8", "replace")
            except OSError:
                self._lines[path] = None
            else:
                self._lines[path] = text.splitlines()
        return self._lines[path]
