"""Reading a user's file under a size cap costs what the file holds, not what the cap allows."""

from __future__ import annotations

import os
import threading
import tracemalloc
from pathlib import Path

import pytest

from platformctl.errors import UsageError
from platformctl.files import read_text

CAP = 4 * 1024 * 1024


def test_a_small_file_read_under_a_large_cap_allocates_about_its_size(tmp_path: Path) -> None:
    path = tmp_path / "platform.yaml"
    path.write_text("name: svc\n" * 100)
    tracemalloc.start()
    try:
        text = read_text(path, what="descriptor", error=UsageError, max_bytes=CAP)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert text == "name: svc\n" * 100
    assert peak < 64 * 1024  # reading with read(CAP + 1) allocated the whole cap first


@pytest.mark.parametrize("extra", [0, 1])
def test_the_cap_is_exact(tmp_path: Path, extra: int) -> None:
    path = tmp_path / "answers.yaml"
    path.write_bytes(b"x" * (1000 + extra))
    if extra:
        with pytest.raises(UsageError, match="is larger than 1000 bytes: refused"):
            read_text(path, what="answers", error=UsageError, max_bytes=1000)
    else:
        assert len(read_text(path, what="answers", error=UsageError, max_bytes=1000)) == 1000


def test_a_file_whose_size_on_disk_is_zero_is_still_read_whole() -> None:
    # /proc files report a size of 0: the size on disk is a first guess, not the end of the file
    text = read_text(Path("/proc/self/status"), what="status", error=UsageError, max_bytes=CAP)
    assert "VmRSS:" in text


def test_a_file_larger_than_the_cap_but_reported_empty_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "grows"
    os.mkfifo(fifo)  # a FIFO reports size 0 and delivers more than the cap

    def feed() -> None:
        with fifo.open("wb") as handle:
            handle.write(b"y" * 5000)

    writer = threading.Thread(target=feed)
    writer.start()
    try:
        with pytest.raises(UsageError, match="larger than 4096 bytes"):
            read_text(fifo, what="answers", error=UsageError, max_bytes=4096)
    finally:
        writer.join(timeout=5)
