"""Zip archives that claim or inflate to gigabytes, and many packages sharing one archive:
bounded memory, one directory read, errors that propagate."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from guards import run_bounded
from oracle import compare, oracle
from zips import SRC, hash_pyc, make_zip, with_stdlib

import modspec
from modspec import _zipfinder

MakeResolver = Callable[..., modspec.Resolver]
Tree = Callable[[dict[str, object]], Path]


# --- members that claim or inflate to gigabytes ---------------------------------------------


def _bounded_origin(archive: Path, backend: str) -> str:
    done = run_bounded(
        f"""
        import modspec
        spec = modspec.Resolver([{str(archive)!r}], backend={backend!r}).resolve("m")
        print(spec.origin)
        """
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_checked_pyc_beside_a_source_that_inflates_to_a_gigabyte(
    tmp_path: Path, backend: str
) -> None:
    # 1 MB of archive, 1 GiB of m.py: hashing it whole would take more than the process has.
    # Past the bound the pyc is not used (README): the source is, as CPython also decides here
    # (the pyc carries another source's hash; CPython is not asked: it would inflate 1 GiB).
    archive = tmp_path / "lib.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zipped:
        zipped.writestr("m.pyc", hash_pyc(SRC, checked=True))
        with zipped.open("m.py", "w", force_zip64=True) as member:
            block = b"#" * (1 << 20)
            for _ in range(1024):
                member.write(block)
    assert archive.stat().st_size < 4 << 20
    assert _bounded_origin(archive, backend) == f"{archive}/m.py"


def _claim_size(archive: Path, member: str, size: int) -> None:
    """Make the central directory claim ``size`` bytes of data for ``member``."""
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zipped:
        names = [info.filename for info in zipped.infolist()]
    position = data.index(b"PK\x01\x02")
    for name in names:
        name_size = int.from_bytes(data[position + 28 : position + 30], "little")
        extra = int.from_bytes(data[position + 30 : position + 32], "little")
        comment = int.from_bytes(data[position + 32 : position + 34], "little")
        if name == member:
            data[position + 20 : position + 24] = size.to_bytes(4, "little")
        position += 46 + name_size + extra + comment
    archive.write_bytes(bytes(data))


def test_member_claiming_4_gib(tree: Tree, make_resolver: MakeResolver, backend: str) -> None:
    # 0xFFFFFFFF, the Zip64 marker, with no Zip64 field to replace it: zipimport reads (and
    # allocates) 4 GiB of m.py to hash it, gets a few bytes, and raises OSError from find_spec;
    # modspec answers origin '<unknown>', as for any member whose data cannot be read (see the
    # module docstring of modspec._zipfinder), having allocated none of it.
    root = tree({})
    archive = make_zip(root / "lib.zip", {"m.pyc": hash_pyc(SRC, checked=True), "m.py": SRC})
    _claim_size(archive, "m.py", 0xFFFFFFFF)
    assert _bounded_origin(archive, backend) == "<unknown>"
    path = [*with_stdlib([]), str(archive)]
    assert oracle(["m"], path) == {"m": {"error": "OSError: zipimport: can't read data"}}


# --- one directory read per archive, shared by its packages ---------------------------------


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    reads: list[str] = []
    read = _zipfinder._read_directory

    def counted(archive: str) -> dict[str, _zipfinder.TocEntry]:
        reads.append(archive)
        return read(archive)

    monkeypatch.setattr(_zipfinder, "_read_directory", counted)
    return reads


def test_packages_in_one_archive_share_one_directory_read(
    tree: Tree, make_resolver: MakeResolver, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree({})
    members: dict[str, str | bytes | None] = {}
    for i in range(50):
        members |= {f"p{i}/__init__.py": "", f"p{i}/sub/__init__.py": "", f"p{i}/sub/m.py": ""}
    archive = make_zip(root / "lib.zip", members)
    names = [f"p{i}.sub.m" for i in range(50)]
    path = [str(archive)]
    reads = _count_reads(monkeypatch)
    resolver = make_resolver(path)
    found = resolver.resolve_many(names)
    # 101 path entries (the archive, and each package's directory in it): one read.
    assert all(spec is not None and spec.kind is modspec.Kind.ZIP for spec in found.values())
    assert reads == [str(archive)]
    resolver.resolve_many([*names, "p0.nope"])
    assert reads == [str(archive)]
    # Explaining names the archive does not hold asks the same shared directories.
    for name in ("p0.nope", "p3.sub.nope", "nothing_here"):
        assert resolver.explain(name).reason is modspec.Reason.NOT_FOUND
    assert reads == [str(archive)]
    resolver.invalidate_caches()  # dropped with the listings
    assert resolver.resolve("p1.sub.m") is not None
    assert reads == [str(archive)] * 2
    # Rewritten (another size, mtime, inode): read again when a new entry (lib.zip/p2, not
    # looked in since the invalidation) reaches it.
    make_zip(archive, {**members, "p2/sub/late.py": ""})
    assert resolver.resolve("p2.sub.late") is not None
    assert reads == [str(archive)] * 3
    assert make_resolver(path).resolve_many(names) == found  # per Resolver: a new one reads
    assert len(reads) == 4
    compare(make_resolver(path), ["p2.sub.late", *names[:5]], path)


@pytest.mark.parametrize("error", [MemoryError, RuntimeError, KeyboardInterrupt])
@pytest.mark.parametrize("where", ["_read_directory", "_inflate"])
def test_unexpected_errors_propagate(
    tree: Tree,
    make_resolver: MakeResolver,
    monkeypatch: pytest.MonkeyPatch,
    error: type[BaseException],
    where: str,
) -> None:
    # Only the errors zipimport is known to raise for damaged archives are answers; anything
    # else (out of memory, a bug, an interrupt) is not turned into "not a zip" or '<unknown>'.
    root = tree({})
    archive = make_zip(
        root / "lib.zip",
        {"m.pyc": hash_pyc(SRC, checked=True), "m.py": SRC},
        zipfile.ZIP_DEFLATED,
    )

    def fail(*args: object) -> object:
        raise error("injected")

    monkeypatch.setattr(_zipfinder, where, fail)
    with pytest.raises(error, match="injected"):
        make_resolver([str(archive)]).resolve("m")
