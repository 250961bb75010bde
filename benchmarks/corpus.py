"""Benchmark corpora: the real environment's module names, a large real environment, and a
generated monorepo."""

from __future__ import annotations

import glob
import json
import os
import random
import subprocess
import sys
import sysconfig
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


# -- the large environment ------------------------------------------------------------------

# A site-packages counts as large from this many module names (the standard library's ~1,900
# included): the dev venv has about 3,800.
LARGE_MIN_NAMES = 8_000
# What a venv is given where no large site-packages is at hand: distributions with big trees
# (botocore alone holds thousands of modules' data packages, sympy and scipy many modules).
LARGE_DISTRIBUTIONS = (
    "boto3", "botocore", "awscli", "numpy", "scipy", "sympy", "networkx", "pandas",
    "matplotlib", "IPython", "jedi", "pygments", "hypothesis", "cryptography", "pydantic",
    "setuptools", "pip", "Cython", "docutils", "jsonschema", "moto",
)  # fmt: skip
# Environment variable naming a site-packages to use (as --large-env DIR does).
LARGE_ENV_VARIABLE = "MODSPEC_BENCH_LARGE_ENV"


class Unavailable(Exception):
    """No large environment here; the message says why, for the skip."""


def stdlib_path() -> list[str]:
    """This interpreter's sys.path without site: the standard library's entries (zip, lib,
    lib-dynload), as a script sees them before any site-packages."""
    script = "import json, sys; print(json.dumps(sys.path[1:]))"
    done = subprocess.run(
        [sys.executable, "-S", "-c", script], capture_output=True, text=True, check=True
    )
    path: list[str] = json.loads(done.stdout)
    return path


def site_packages_candidates() -> list[str]:
    """The global site-packages of this Python version, largest first by entry count: the base
    interpreter's own (for a venv or pyenv's python3, the one its packages were installed
    into), then Debian's and /usr/local's dist-packages of the same version."""
    minor = f"{sys.version_info[0]}.{sys.version_info[1]}"
    base = sysconfig.get_paths(vars={"base": sys.base_prefix, "platbase": sys.base_exec_prefix})
    found = [base["purelib"], base["platlib"], "/usr/lib/python3/dist-packages"]
    found += sorted(glob.glob(f"/usr/local/lib/python{minor}/dist-packages"))
    if not os.path.isdir(f"/usr/lib/python{minor}"):
        # Debian's dist-packages serve Debian's python3 only: another version's are no
        # environment of this interpreter.
        found.remove("/usr/lib/python3/dist-packages")
    unique = [entry for entry in dict.fromkeys(found) if os.path.isdir(entry)]
    return sorted(unique, key=lambda entry: -len(os.listdir(entry)))


def large_environment(where: Path, *, explicit: str | None = None, build: bool) -> Corpus:
    """Every module name on the standard library's path plus the largest site-packages of this
    Python version at hand (``explicit``: that one), or, with ``build``, of a venv made under
    ``where`` from the package index pip is configured with (kept there, made once).

    Raises Unavailable with the reason where none has ``LARGE_MIN_NAMES`` names and none
    could be built."""
    stdlib = stdlib_path()
    candidates = [explicit] if explicit else site_packages_candidates()
    counted: list[str] = []
    for site in candidates:
        if not os.path.isdir(site):
            raise Unavailable(f"{site}: no such directory")
        corpus = environment([*stdlib, site])
        if explicit or len(corpus.names) >= LARGE_MIN_NAMES:
            return Corpus("large-env", corpus.names, corpus.path)
        counted.append(f"{site}: {len(corpus.names):,} names")
    reasons = "; ".join(counted) or "no global site-packages of this Python"
    if not build:
        raise Unavailable(
            f"no site-packages with {LARGE_MIN_NAMES:,} names or more ({reasons}); the full "
            f"suite builds one (pip install into {where}), or pass --large-env DIR"
        )
    corpus = environment([*stdlib, _built_environment(where)])
    return Corpus("large-env", corpus.names, corpus.path)


def _built_environment(where: Path) -> str:
    """A venv under ``where`` holding LARGE_DISTRIBUTIONS (made once, and reused); its
    site-packages. Raises Unavailable where pip cannot install them."""
    venv = where / f"large-env-{sys.implementation.cache_tag}"
    stamp = venv / "modspec-corpus.json"
    wanted = {"distributions": LARGE_DISTRIBUTIONS}
    python = venv / "bin" / "python"
    script = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    if not (stamp.exists() and json.loads(stamp.read_text()) == wanted):
        try:
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
            # Wheels only: a source build could take longer than the suite.
            command = [str(python), "-m", "pip", "install", "-q", "--only-binary=:all:"]
            done = subprocess.run(
                [*command, *LARGE_DISTRIBUTIONS], capture_output=True, text=True, timeout=1800
            )
        except (OSError, subprocess.SubprocessError) as error:
            raise Unavailable(f"could not make a venv in {venv}: {error}") from error
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise Unavailable(f"pip could not install the large environment in {venv}: {last}")
        stamp.write_text(json.dumps(wanted))
    done = subprocess.run([str(python), "-c", script], capture_output=True, text=True, check=True)
    return done.stdout.strip()


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
