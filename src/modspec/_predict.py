"""What the import system sets on a module that its spec alone does not say, and the rules
by which ModuleInfo (in ``_spec``, beside Spec) predicts each attribute.

``__doc__`` (read from the source, or from the interpreter's frozen code object), a frozen
module's ``__file__``, a namespace package's ``__loader__``: what ``ModuleInfo.predict`` needs
beyond the spec's fields.

``ModuleInfo.of(module)`` reads them from a module object; ``ModuleInfo.predict(spec)`` (also
``Spec.module_info()``) says what they will be once the module is imported, without importing it,
following ``importlib._bootstrap._init_module_attrs`` and each standard loader's
``create_module`` (3.10–3.13). A module's own code runs after those attributes are set and may
change any of them; a prediction is what the import system sets, not what that code does.

Field by field (``predict``):

============ =================================================== ==============================
field        predicted as                                        not predictable
============ =================================================== ==============================
``name``     ``spec.name``                                       --
``file``     ``spec.origin`` where ``spec.has_location``; a      --
             frozen stdlib module's source path (3.11+,
             ``FrozenImporter``'s ``loader_state.filename``);
             None for builtins, namespace packages, 3.10's
             frozen modules
``doc``      source: the first statement, when it is a string    extension modules and builtins
             literal (``ast.get_docstring(clean=False)``;        (``__doc__`` comes from C);
             implicit concatenation and prefixes are,            bytecode-only modules and zip
             f-strings and bytes are not), as the compiler       members (reading them means
             stores it (raw up to 3.12; 3.13 strips its          unmarshalling or unzipping
             indentation), decoded by its PEP 263 cookie or      code: modspec never does);
             BOM as ``compile`` decodes it; None under ``-OO``,
             or where the file does not parse. Frozen: the       a fresh .pyc the loader trusts
             docstring of the interpreter's own frozen code      over an edited source (an
             object (``_imp.get_frozen_object``: unmarshalled,   unchecked hash-based .pyc) may
             never run); frozen code keeps it under ``-OO``.     hold another docstring
             Namespace packages: None.
``names``    None                                                the module's namespace is what
                                                                 its code defines
``spec``     the spec itself                                     --
``loader``   ``spec.loader``; ``NamespaceLoader`` for namespace  --
             packages (``_NamespaceLoader`` on 3.10)
``package``  ``spec.parent``                                     --
``path``     ``spec.submodule_search_locations``                 --
``cached``   ``spec.cached`` where ``spec.has_location``         --
============ =================================================== ==============================

What ``of`` reads: the module's ``__dict__`` (never ``getattr``, so a module ``__getattr__`` does
not run); ``spec`` is ``Spec.from_importlib(__spec__)``, which stats the origin and cached files
now, or None where ``__spec__`` is None or comes from a loader other than the standard finders'
(``UnsupportedSpec``). ``path`` of a namespace package is its ``_NamespacePath``'s current
entries. Any module can overwrite its own attributes as it runs (``__doc__ = __doc__.format(...)``,
``__path__ = extend_path(...)``), or put another object in ``sys.modules`` in its place: ``of``
sees the result, ``predict`` cannot.
"""

from __future__ import annotations

import _imp
import ast
import dis
import importlib.machinery
import sys
import types
import warnings
from importlib._bootstrap_external import _NamespaceLoader  # public from 3.11 only

from ._parse import PARSE_ERRORS
from ._paths import SOURCE_LIMIT, read_regular

__all__ = ["NAMESPACE_LOADER", "frozen_docstring", "frozen_file", "source_docstring"]

# What _init_module_attrs puts in __loader__ for a spec without a loader: a namespace package.
NAMESPACE_LOADER: type = getattr(importlib.machinery, "NamespaceLoader", _NamespaceLoader)


def source_docstring(origin: str) -> str | None:
    """``__doc__`` as compiling the source at ``origin`` would set it; None where it would not."""
    # Under -OO the compiler drops docstrings (and the opt-2 .pyc has none).
    if sys.flags.optimize >= 2:
        return None
    try:
        source = read_regular(origin, SOURCE_LIMIT)
    except (OSError, ValueError):
        return None  # unreadable, or not read: a FIFO, a device, past the bound
    # Bytes, as SourceLoader hands them to compile(): the coding cookie or BOM decides.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes: the import would only warn
            tree = ast.parse(source, origin)
    except PARSE_ERRORS:
        return None  # such a module does not import at all
    if ast.get_docstring(tree, clean=False) is None:
        return None
    # The compiler, given the docstring alone, says what it stores: the raw string up to 3.12,
    # its indentation stripped from 3.13 (gh-81283).
    alone = ast.Module(body=tree.body[:1], type_ignores=[])
    return _code_docstring(compile(alone, origin, "exec", dont_inherit=True, optimize=0))


def _frozen_spec(name: str) -> importlib.machinery.ModuleSpec | None:
    try:
        return importlib.machinery.FrozenImporter.find_spec(name)
    except ImportError:
        return None


def frozen_file(name: str) -> str | None:
    # Mirrors importlib._bootstrap.FrozenImporter.create_module (3.11+): loader_state.filename,
    # the stdlib source the module was frozen from. 3.10 sets no __file__ for frozen modules.
    spec = _frozen_spec(name)
    filename = getattr(getattr(spec, "loader_state", None), "filename", None)
    return filename if isinstance(filename, str) and filename else None


def frozen_docstring(name: str) -> str | None:
    try:
        code = _imp.get_frozen_object(name)
    except ImportError:
        return None
    return _code_docstring(code)


def _code_docstring(code: types.CodeType) -> str | None:
    """The string a module's code object stores in ``__doc__`` first, if it starts so."""
    # The compiler opens a module with a docstring by LOAD_CONST doc; STORE_NAME __doc__
    # (after RESUME from 3.11); a module without one does something else first.
    instructions = (i for i in dis.get_instructions(code) if i.opname not in ("RESUME", "NOP"))
    first = next(instructions, None)
    second = next(instructions, None)
    if first is None or second is None or first.opname != "LOAD_CONST":
        return None
    if second.opname != "STORE_NAME" or second.argval != "__doc__":
        return None
    return first.argval if isinstance(first.argval, str) else None
