"""What ``--fail-on`` can gate on: apart from surface, so that the command line's parser
names them without loading the scan."""

from __future__ import annotations

import enum

__all__ = ["Finding"]


class Finding(enum.Enum):
    """What ``--fail-on`` can gate on."""

    UNRESOLVED = "unresolved"  # an import that would raise, outside try/except ImportError
    UNRESOLVED_OPTIONAL = "unresolved-optional"  # one inside try/except ImportError
    SHADOWED = "shadowed"  # a first-party module hides, or is hidden by, another module
    DUPLICATE = "duplicate"  # a top-level name provided by more than one path entry
    STALE_BYTECODE = "stale-bytecode"  # a first-party .pyc that the import would rewrite
    MISSING_BYTECODE = "missing-bytecode"  # a first-party source module with no .pyc
    UNPARSABLE = "unparsable"  # a file that does not parse (or cannot be read)
    SKIPPED = "skipped"  # a directory or ignore file the walk could not read
    NAME_TOO_LONG = "name-too-long"  # an imported name past MAX_NAME_LENGTH or MAX_NAME_PARTS
    # Imports against the project's declared dependencies (dependencies.py).
    UNDECLARED_DEPENDENCY = "undeclared-dependency"
    TRANSITIVE_DEPENDENCY = "transitive-dependency"
    UNUSED_DEPENDENCY = "unused-dependency"
    DEV_DEPENDENCY_IN_CODE = "dev-dependency-in-code"
