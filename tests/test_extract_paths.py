"""The compiled scanner's reader of many files at once: each file it reads gets the answer
extract() gives its bytes; what read_regular would refuse, and what the scanner declines, is
left to the Python path (None), which then reports it as before."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from modspec._codebase.extract import MARK, FileImports, extract_files

extract_c = pytest.importorskip("modspec._codebase.extract_c")

SOURCES = {
    "plain.py": "import os\nfrom a.b import c as d, e\n",
    "branches.py": "import sys\nif sys.platform == 'win32':\n    import winreg\n",
    "marked.py": "import gone  # modspec: ignore\n",
    "empty.py": "",
    "fstrings.py": "x = f'{1:{2}}'\nimport json\n",
    "declined.py": "# -*- coding: latin-1 -*-\nimport os\n",  # the scanner leaves it to ast
    "broken.py": "import os\nx = (\n",
}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for name, text in SOURCES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_each_file_read_gets_extract_s_answer(tree: Path) -> None:
    paths = [str(tree / name) for name in SOURCES]
    found = extract_c.extract_paths(paths, 1 << 20, MARK)
    for path, got in zip(paths, found, strict=True):
        source = Path(path).read_bytes()
        answer = extract_c.extract(source)
        if answer is None:
            assert got is None  # declined: the caller asks ast
        else:
            assert got == (len(source), MARK in source, answer)
    marked = found[2]
    assert marked is not None
    assert marked[1]  # marked.py holds the mark


def test_what_read_regular_refuses_is_left_to_the_caller(tree: Path) -> None:
    fifo = tree / "fifo.py"
    os.mkfifo(fifo)
    big = tree / "big.py"
    big.write_text("import os\n" * 100, encoding="utf-8")
    paths = [
        str(tree / "missing.py"),
        str(tree),  # a directory
        str(fifo),  # never opened for a blocking read
        "/dev/null",  # a device
        str(big),  # past the limit given
        str(tree / "plain.py") + "\0.py",  # a NUL, which open() would cut short
    ]
    assert extract_c.extract_paths(paths, 500, MARK) == [None] * len(paths)


def test_extract_files_reports_what_the_reader_left(tree: Path, backend: str) -> None:
    # The same answers whichever core reads, errors included (the Python path gives those).
    paths = [str(tree / name) for name in SOURCES] + [str(tree / "missing.py")]
    found = list(extract_files(paths, backend=backend))
    assert [f.path for f in found] == paths
    by_name = {Path(f.path).name: f for f in found}
    assert by_name["broken.py"].imports is None
    assert by_name["missing.py"].error is not None
    assert by_name["missing.py"].error.startswith("FileNotFoundError")
    assert by_name["marked.py"].marked
    assert not by_name["plain.py"].marked
    assert by_name["declined.py"].imports is not None
    assert not by_name["declined.py"].fast  # ast read it
    python = list(extract_files(paths, backend="python"))
    assert [(f.path, f.size, f.imports, f.error, f.marked) for f in found] == [
        (f.path, f.size, f.imports, f.error, f.marked) for f in python
    ]


def test_an_empty_mark_is_refused() -> None:
    with pytest.raises(ValueError, match="empty mark"):
        extract_c.extract_paths([], 1, b"")


def test_file_imports_of_the_reader_are_file_imports(tree: Path) -> None:
    (got,) = list(extract_files([str(tree / "plain.py")], backend="cython"))
    assert type(got) is FileImports
    assert got.fast
