from __future__ import annotations

from oracle import compare


def test_basic(tree, make_resolver):
    root = tree({"a/pkg/__init__.py": "", "a/pkg/mod.py": "", "a/mod.py": "", "b/pkg/x.py": "", "a/ns/q.py": "", "b/ns/r.py": ""})
    path = [str(root / "a"), str(root / "b")]
    compare(make_resolver(path), ["pkg", "pkg.mod", "mod", "pkg.x", "ns", "ns.q", "ns.r", "sys", "os", "nope"], path)
