"""Benchmark corpora: the real environment's module names, and a generated monorepo."""

from __future__ import annotations

import json
import os
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import modspec


@dataclass(frozen=True)
class Corpus:
    """Names to resolve over a path."""

    label: str
    names: tuple[str, ...]
    path: tuple[str, ...]


def environment(path: Sequence[object] | None = None) -> Corpus:
    """Every module an import statement could reach on ``path`` (default: this interpreter's
    sys.path)."""
    path = tuple(entry for entry in (sys.path if path is None else path) if isinstance(entry, str))
    names = tuple(sorted(modspec.discover(list(path))))
    return Corpus("environment", names, path)


# The monorepo's shape: roots x top-level packages x subpackages x modules per package.
FULL = {"roots": 4, "tops": 25, "subs": 10, "subsubs": 10, "modules": 10}
QUICK = {"roots": 4, "tops": 5, "subs": 5, "subsubs": 5, "modules": 8}


def monorepo(where: Path, shape: dict[str, int], seed: int = 20261125) -> Corpus:
    """A deterministic monorepo under ``where`` (reused if already generated with this shape).

    Each root holds regular packages three levels deep; every fifth top-level package is a
    namespace package whose portions are spread over all roots; about a third of the source
    modules have bytecode in ``__pycache__``. Names include ~2% that do not exist.
    """
    stamp = where / "corpus.json"
    # "bodies": modules hold imports and code since surface benchmarks scan them.
    wanted = {"shape": shape, "seed": seed, "python": sys.implementation.cache_tag, "bodies": 1}
    if stamp.exists():
        saved = json.loads(stamp.read_text())
        if saved["meta"] == wanted:
            return Corpus("monorepo", tuple(saved["names"]), tuple(saved["path"]))
    rng = random.Random(seed)
    tag = sys.implementation.cache_tag
    roots = [where / f"root{r}" for r in range(shape["roots"])]
    names: list[str] = []

    def module(directory: Path, stem: str, dotted: str) -> None:
        body = "" if stem == "__init__" else _body(rng, names, shape["modules"])
        (directory / f"{stem}.py").write_text(f'"""{dotted}."""\n{body}')
        if rng.random() < 1 / 3:
            cache = directory / "__pycache__"
            cache.mkdir(exist_ok=True)
            (cache / f"{stem}.{tag}.pyc").write_bytes(b"\0" * 16)
        names.append(dotted)

    def package(directory: Path, dotted: str, *, namespace: bool = False) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        if not namespace:
            module(directory, "__init__", dotted)
            names.pop()
        names.append(dotted)

    for t in range(shape["tops"]):
        for r, root in enumerate(roots):
            namespace = t % 5 == 0
            top = f"ns{t}" if namespace else f"r{r}top{t}"
            top_dir = root / top
            package(top_dir, top, namespace=namespace)
            for s in range(shape["subs"]):
                sub = f"{top}.sub{r}_{s}" if namespace else f"{top}.sub{s}"
                sub_dir = top_dir / sub.rpartition(".")[2]
                package(sub_dir, sub)
                for ss in range(shape["subsubs"]):
                    inner = f"{sub}.pkg{ss}"
                    inner_dir = sub_dir / f"pkg{ss}"
                    package(inner_dir, inner)
                    for m in range(shape["modules"]):
                        module(inner_dir, f"mod{m}", f"{inner}.mod{m}")
    present = sorted(set(names))
    missing = [f"{name}_missing" for name in rng.sample(present, max(1, len(present) // 50))]
    all_names = present + missing
    rng.shuffle(all_names)
    path = [str(root) for root in roots]
    stamp.write_text(json.dumps({"meta": wanted, "names": all_names, "path": path}))
    return Corpus("monorepo", tuple(all_names), tuple(path))


_BODY = """
from __future__ import annotations

import json
import os.path
from typing import TYPE_CHECKING

from . import mod{sibling}
import {absolute}
from {absolute_parent} import {absolute_tail} as other

try:
    import ujson as fast_json
except ImportError:  # optional: the plain json will do
    fast_json = json

if TYPE_CHECKING:
    from collections.abc import Iterator


class Thing{number}:
    \"\"\"A value that renders itself; 'import this' in a string is no import.\"\"\"

    def __init__(self, value: int) -> None:
        self.value = value
        self.where = os.path.join("data", f"{{value}}.json")

    def render(self) -> str:
        from textwrap import dedent

        return dedent(f"value: {{self.value!r}}") + json.dumps([self.value, other.__name__])

    def items(self) -> Iterator[int]:
        yield from range(self.value)
"""


def _body(rng: random.Random, names: list[str], modules: int) -> str:
    """Imports of each kind a code base has, and some code around them."""
    absolute = rng.choice(names) if names else "json.decoder"
    if rng.random() < 0.02:
        absolute += "_gone"  # unresolved, as in any large code base
    parent, _, tail = absolute.rpartition(".")
    return _BODY.format(
        sibling=rng.randrange(modules),
        absolute=absolute,
        absolute_parent=parent or "json",
        absolute_tail=tail,
        number=rng.randrange(1000),
    )


def batch(corpus: Corpus, size: int, seed: int = 20261125) -> list[str]:
    """``size`` distinct names: the corpus's own, then absent children of its packages.

    The absent names (``pkg.gone_17``) are what a scan of a large code base meets when imports
    name modules that were removed or never built: each must still be looked up in its
    package's listings, so none is answered early for lack of a parent. Deterministic.
    """
    names = list(corpus.names[:size])
    packages = sorted({name.rpartition(".")[0] for name in corpus.names if "." in name})
    per_package, extra = divmod(size - len(names), len(packages)) if size > len(names) else (0, 0)
    for index, package in enumerate(packages):
        count = per_package + (index < extra)
        names += (f"{package}.gone_{n}" for n in range(count))
    random.Random(seed).shuffle(names)
    return names


def packages_count(corpus: Corpus) -> int:
    return sum(
        1
        for spec in modspec.resolve_many(corpus.names, path=list(corpus.path)).values()
        if spec is not None and spec.is_package
    )


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "monorepo-corpus")
    target.mkdir(parents=True, exist_ok=True)
    corpus = monorepo(target, FULL)
    print(
        f"{len(corpus.names):,} names, {packages_count(corpus):,} packages, "
        f"{len(corpus.path)} roots under {os.fspath(target)}"
    )
