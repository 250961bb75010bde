"""ModuleInfo: a module's import-related attributes, taken from a live module or predicted.

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

# ModuleInfo lives beside Spec in _spec: each makes the other (Spec.module_info(),
# ModuleInfo.of()), and two modules that did would import each other. This is its public home.
from ._spec import ModuleInfo

__all__ = ["ModuleInfo"]
