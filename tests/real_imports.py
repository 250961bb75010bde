"""The closure's oracle: CPython itself, importing the module in a fresh ``python -I``.

``real_closure`` runs ``import MODULE`` in a new isolated interpreter (with ``prefix`` put
before its sys.path) and answers with the modules new in sys.modules whose ``__spec__`` is
that module's own (``os.path`` is posixpath under another name; ``__main__`` has none), in
sys.modules' order, which is the order their code finished (``_load_unlocked`` moves a module
to the end once it has run); and the start-up's modules, the same way.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Sequence
from typing import NamedTuple

from modspec._codebase.extract import Guard, extract_source

__all__ = ["RealClosure", "extractor_records", "real_closure"]

_SCRIPT = r"""
import sys

def own(items):
    return [n for n, m in items if getattr(m, "__spec__", None) is not None
            and getattr(m.__spec__, "name", None) == n]

startup = own(list(sys.modules.items()))
before = set(sys.modules)
sys.path[:0] = PREFIX
errors = []
for name in NAMES:
    try:
        __import__(name)
    except BaseException as exc:
        errors.append("%s: %s: %s" % (name, type(exc).__name__, exc))
new = own([(n, m) for n, m in list(sys.modules.items()) if n not in before])
sys.stdout.write(repr({"new": new, "startup": startup, "path": sys.path, "errors": errors}))
"""


class RealClosure(NamedTuple):
    new: list[str]  # in the order their code finished
    startup: list[str]
    path: list[str]  # sys.path, the prefix included, as the import saw it
    errors: list[str]  # "name: ExceptionType: message" for a root whose import raised


def real_closure(
    modules: Sequence[str],
    prefix: Sequence[str] = (),
    *,
    python: str = sys.executable,
    cwd: str | None = None,
    timeout: float = 120,
) -> RealClosure:
    script = f"PREFIX = {list(prefix)!r}\nNAMES = {list(modules)!r}\n{_SCRIPT}"
    # -I: no PYTHON* variables, no user site, no script directory on sys.path.
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    done = subprocess.run(
        [python, "-I", "-c", script],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the oracle failed: {done.stderr.strip()[-2000:]}")
    found = ast.literal_eval(done.stdout)
    return RealClosure(found["new"], found["startup"], found["path"], found["errors"])


# What the extractors record of extract_py's ImportRef contract, probed per backend: a case
# that needs what they do not record yet is skipped, named.
_PROBES = {
    "choice": (b"try:\n    import a\nexcept ImportError:\n    import b\n", "choice"),
    "condition": (b"import sys\nif sys.platform == 'win32':\n    import a\n", "condition"),
    "main": (b"if __name__ == '__main__':\n    import a\n", "guard"),
}


def extractor_records(backend: str | None, need: str) -> bool:
    """Whether ``backend``'s extractor (None: the default) fills ``need``: "choice",
    "condition" or "main" (Guard.MAIN)."""
    source, field = _PROBES[need]
    refs, _fast = extract_source(source, backend=backend)
    value = getattr(refs[-1], field)
    return bool(value & Guard.MAIN) if field == "guard" else bool(value)
