"""The code-base application: walks a source tree, extracts, resolves and reports its imports.

``modspec surface`` runs it; the library API (``modspec/__init__.py``) never imports it.
"""
