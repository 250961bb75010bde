"""Imports held against declared dependencies: deptry's question, with modspec's answers.

A project declares what it needs in pyproject.toml: `[project] dependencies`, optional groups
(`[project.optional-dependencies]`) and PEP 735's `[dependency-groups]`. Each third-party
import resolves to a module whose top-level name one or more installed distributions provide
(their top_level.txt, else their RECORD). Four findings follow:

- undeclared-dependency: imported from a distribution no group declares;
- transitive-dependency: the same, where the distribution is installed only because a declared
  one requires it (it may go away when that one changes);
- unused-dependency: declared in `[project] dependencies`, providing nothing imported;
- dev-dependency-in-code: imported outside tests from a distribution only an optional or a
  dependency group declares.

Imports that need not succeed (in try/except ImportError, for type checkers only, or that
do not run for the target) make no finding of their own, but do count as uses.
"""

from __future__ import annotations

import importlib.machinery
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from .._records import frozen_record
from .extract_py import Guard
from .findings import Finding

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["Declared", "DependencyFinding", "Installed", "check", "declared_in", "normalise"]

# PEP 508: a requirement starts with its name; PEP 503 normalises it.
_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_SEPARATORS = re.compile(r"[-_.]+")
_EXTRA_MARKER = re.compile(r"""extra\s*==""")
_NOT_REQUIRED = Guard.OPTIONAL | Guard.FALLBACK | Guard.TYPE_CHECKING
# Longest first: ".cpython-311-x86_64-linux-gnu.so" before ".so".
_SUFFIXES = sorted(importlib.machinery.all_suffixes(), key=len, reverse=True)


def normalise(name: str) -> str:
    """A distribution name as PEP 503 compares them: lower case, runs of -_. as one -."""
    return _SEPARATORS.sub("-", name).lower()


def _requirement_name(text: str) -> str | None:
    found = _NAME.match(text)
    return None if found is None else normalise(found.group(1))


@frozen_record
class Declared:
    """What a pyproject.toml declares: distribution -> the groups naming it and the line."""

    pyproject: str
    main: Mapping[str, int]  # [project] dependencies: name -> line in the file
    optional: Mapping[str, int]  # optional-dependencies and dependency-groups
    groups: Mapping[str, tuple[str, ...]]  # name -> the groups naming it ("dependencies", ...)


def declared_in(pyproject: str, document: Mapping[str, Any], text: str) -> Declared | None:
    """The dependencies ``document`` (the parsed ``text`` of ``pyproject``) declares; None
    when it has no [project] table."""
    project = document.get("project")
    if not isinstance(project, dict):
        return None
    lines = text.splitlines()
    main: dict[str, int] = {}
    optional: dict[str, int] = {}
    groups: dict[str, list[str]] = defaultdict(list)

    def add(requirements: object, group: str, into: dict[str, int]) -> None:
        for requirement in requirements if isinstance(requirements, list) else ():
            if not isinstance(requirement, str):
                continue  # PEP 735's {include-group = "..."}: followed below
            name = _requirement_name(requirement)
            if name is not None:
                into.setdefault(name, _line_of(lines, requirement))
                groups[name].append(group)

    add(project.get("dependencies"), "dependencies", main)
    extras = project.get("optional-dependencies")
    for extra, requirements in extras.items() if isinstance(extras, dict) else ():
        add(requirements, f"optional-dependencies.{extra}", optional)
    dependency_groups = document.get("dependency-groups")
    if isinstance(dependency_groups, dict):
        for group in dependency_groups:
            add(_group(dependency_groups, group, set()), f"dependency-groups.{group}", optional)
    return Declared(
        pyproject, main, optional, {name: tuple(found) for name, found in groups.items()}
    )


def _group(groups: Mapping[str, Any], name: str, seen: set[str]) -> list[str]:
    """PEP 735: a group's requirements with its included groups' (a cycle stops there)."""
    if name in seen:
        return []
    seen.add(name)
    found: list[str] = []
    for item in groups.get(name) or ():
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict) and isinstance(item.get("include-group"), str):
            found += _group(groups, item["include-group"], seen)
    return found


def _line_of(lines: Sequence[str], requirement: str) -> int:
    quoted = (f'"{requirement}"', f"'{requirement}'")
    for number, line in enumerate(lines, 1):
        if any(q in line for q in quoted):
            return number
    return 0


@frozen_record
class Installed:
    """The distributions on a path: which provide each top-level name, what each requires."""

    providers: Mapping[str, tuple[str, ...]]  # top-level module -> normalised dist names
    requires: Mapping[str, tuple[str, ...]]  # dist -> the dists it requires (no extras)

    @classmethod
    def on(cls, path: Sequence[str]) -> Installed:
        # Imported here: importlib.metadata brings email, socket and urllib, and only a run
        # that meets third-party packages needs it.
        import importlib.metadata

        providers: dict[str, set[str]] = defaultdict(set)
        requires: dict[str, tuple[str, ...]] = {}
        for dist in importlib.metadata.distributions(path=list(path)):
            name = normalise(dist.metadata["Name"] or "")
            if not name or name in requires:
                continue  # an earlier path entry's copy is the one imports get
            declared = (dist.read_text("top_level.txt") or "").split()
            # Without top_level.txt (wheels built by other back ends), RECORD's paths tell.
            provided = declared or [
                _module_name(file.parts[0]) for file in dist.files or () if file.parts
            ]
            for top in provided:
                providers[top].add(name)
            requires[name] = tuple(
                found
                for requirement in dist.requires or ()
                if not _EXTRA_MARKER.search(requirement)
                and (found := _requirement_name(requirement)) is not None
            )
        return cls({top: tuple(sorted(d)) for top, d in providers.items()}, requires)

    def required_by(self, roots: Iterable[str]) -> set[str]:
        """Every distribution ``roots`` require, transitively (the roots left out)."""
        roots = set(roots)
        seen: set[str] = set()
        todo = [dep for root in roots for dep in self.requires.get(root, ())]
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo.extend(self.requires.get(name, ()))
        return seen - roots


def _module_name(part: str) -> str:
    # A RECORD path's first part: a package directory, or a module file named with one of
    # the import system's suffixes (inspect.getmodulename's rule, without importing inspect).
    for suffix in _SUFFIXES:
        if part.endswith(suffix):
            return part[: -len(suffix)]
    return part


@frozen_record
class DependencyFinding:
    """One dependency finding, where it is: an import's file and line, or the declaration's."""

    rule: Finding
    distribution: str
    module: str | None  # the imported top-level name (None for an unused declaration)
    file: str
    line: int
    detail: str


# A site: (top-level name imported, file, line, guard) of a third-party import that runs.
Site = tuple[str, str, int, Guard]


def check(
    declared: Declared, installed: Installed, sites: Iterable[Site]
) -> list[DependencyFinding]:
    """The four findings for a project's third-party import ``sites``."""
    everything = {**declared.optional, **declared.main}
    transitive = installed.required_by(everything)
    findings: list[DependencyFinding] = []
    used: set[str] = set()  # distributions providing an import
    imported: set[str] = set()  # top-level names imported
    reported: set[tuple[str, str, Finding]] = set()
    for top, path, line, guard in sites:
        providers = installed.providers.get(top, ())
        used.update(providers)
        imported.add(top)
        if guard & _NOT_REQUIRED or not providers:
            continue
        rule, detail = _rule(declared, providers, transitive, path)
        # One finding per missing declaration per file: its first import there.
        if rule is not None and (top, path, rule) not in reported:
            reported.add((top, path, rule))
            findings.append(DependencyFinding(rule, providers[0], top, path, line, detail))
    for name, line in declared.main.items():
        if name not in used and not _provides_unknown(installed, name, imported):
            findings.append(
                DependencyFinding(
                    Finding.UNUSED_DEPENDENCY,
                    name,
                    None,
                    declared.pyproject,
                    line,
                    f"{name} is declared in [project] dependencies, and nothing imports it",
                )
            )
    return sorted(findings, key=lambda f: (f.file, f.line, f.rule.value, f.distribution))


def _rule(
    declared: Declared, providers: Sequence[str], transitive: set[str], path: str
) -> tuple[Finding | None, str]:
    if any(name in declared.main for name in providers):
        return None, ""
    optional = [name for name in providers if name in declared.optional]
    if optional:
        if _is_test(path):
            return None, ""
        groups = ", ".join(declared.groups[optional[0]])
        return Finding.DEV_DEPENDENCY_IN_CODE, (
            f"{optional[0]} is declared only in {groups}, and imported outside tests"
        )
    names = " or ".join(providers)
    if any(name in transitive for name in providers):
        return Finding.TRANSITIVE_DEPENDENCY, (
            f"{names} is installed because a declared dependency requires it; declare it"
        )
    return Finding.UNDECLARED_DEPENDENCY, f"{names} is imported and not declared"


def _provides_unknown(installed: Installed, name: str, imported: set[str]) -> bool:
    # A declared distribution that is not installed is taken to provide the module its name
    # spells, as deptry assumes (so python-dateutil, imported as dateutil, reads as unused).
    return name not in installed.requires and name.replace("-", "_") in imported


_TEST_PARTS = frozenset(("test", "tests", "testing"))


def _is_test(path: str) -> bool:
    parts = path.split(os.sep)
    name = parts[-1]
    return (
        bool(_TEST_PARTS.intersection(parts[:-1]))
        or name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
    )
