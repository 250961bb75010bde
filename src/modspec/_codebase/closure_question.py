"""A closure's question made ready (closure.run_prepared answers it): the roots checked, the search
path and its resolver, the start-up's plan. Apart from the machine, so that a question the
cache answers (result_cache) costs none of the machine's imports."""

from __future__ import annotations

import time

from .._editable import live_editables
from .._resolver import InvalidName, Resolver, program_path
from .conditions import Target
from .result_cache import answers_read
from .startup import plan_startup

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

    from .._editable import EditableFinder
    from .._environment import EnvironmentPath
    from .closure_load import Loader

__all__ = ["Prepared"]


class Prepared:
    """A closure's question made ready: its roots checked, the search path, the resolver and
    the start-up's plan; ``closure.run_prepared`` answers it. Its arguments are ``closure``'s."""

    def __init__(
        self,
        modules: Sequence[str],
        *,
        path: Sequence[str] | None = None,
        environment: EnvironmentPath | None = None,
        editables: Iterable[EditableFinder] | None = None,
        legacy_namespaces: bool = False,
        backend: str | None = None,
        target: Target | None = None,
        include_startup: bool = False,
        site: bool = True,
        workers: int | None = None,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> None:
        self.started = time.perf_counter()
        self.roots = tuple(dict.fromkeys(modules))
        for root in self.roots:
            if not root or root.startswith(".") or any(not part for part in root.split(".")):
                raise InvalidName(root, "a root must be an absolute module name")
        self.target = Target.current() if target is None else target
        searched, hooks = _search_path(path, environment, editables)
        self.path = tuple(searched)
        self.resolver = Resolver(
            searched, backend=backend, editables=hooks, legacy_namespaces=legacy_namespaces
        )
        self.plan = plan_startup(environment, site=site)
        self.site, self.include_startup = site, include_startup
        self.backend, self.workers, self.progress = backend, workers, progress
        self.loader: Loader | None = None  # the run's

    def read_paths(self) -> Iterator[str]:
        """What the run's answer was read from: the resolver's listings, the search path's
        entries, and each module's files (its origin, cached file and source read)."""
        from .closure_load import source_file

        specs = () if self.loader is None else self.loader.specs.values()
        yield from answers_read(self.resolver, self.path, specs)
        # A frozen module's source, where this interpreter names one.
        yield from (f for s in specs if s is not None and (f := source_file(s)) is not None)


def _search_path(
    path: Sequence[str] | None,
    environment: EnvironmentPath | None,
    editables: Iterable[EditableFinder] | None,
) -> tuple[list[str], Iterable[EditableFinder]]:
    if path is not None:
        return list(path), () if editables is None else editables
    if environment is not None:
        hooks: Iterable[EditableFinder] = environment.editables
        return list(environment.entries), hooks if editables is None else editables
    return program_path(), live_editables() if editables is None else editables
