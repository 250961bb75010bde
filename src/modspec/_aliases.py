"""Module names no finder finds, that a module puts into sys.modules when it runs."""

from __future__ import annotations

import os

__all__ = ["SET_BY_PARENT"]

# os.py sets sys.modules["os.path"] to its platform's path module (posixpath, ntpath): no
# finder finds "os.path", yet `import os.path` works everywhere. Name -> (the module that
# sets it, the module it gets).
SET_BY_PARENT = {"os.path": ("os", os.path.__name__)}
