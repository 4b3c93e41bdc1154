"""One way to write a file whole: the plan (with the batch id a resumed run depends on), the
failures file, snapshots and the config file are written through a temporary file created
exclusively beside them, synced, renamed, and the folder synced; a new file is private, an
existing one keeps its mode, a symlink stays a symlink."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from dixa_tui import files
from dixa_tui.config_edit import save_query
from dixa_tui.session import bulk_files, snapshots

Writer = Callable[[Path, bytes], object]


def via_bulk(path: Path, data: bytes) -> object:
    return bulk_files.write_atomically(path, data)


def via_files(path: Path, data: bytes) -> object:
    return files.write_atomically(path, data)


def via_config(path: Path, data: bytes) -> object:
    name = data.decode()
    return save_query(name, "--status open", path=path)


WRITERS = [pytest.param(via_bulk, id="bulk files"), pytest.param(via_files, id="files"),
           pytest.param(via_config, id="config")]


@pytest.fixture
def umask_022() -> object:
    old = os.umask(0o022)
    yield None
    os.umask(old)


@pytest.mark.usefixtures("umask_022")
@pytest.mark.parametrize("write", WRITERS)
def test_a_new_file_is_private_and_an_existing_one_keeps_its_mode(write: Writer,
                                                                  tmp_path: Path) -> None:
    new = tmp_path / "new.json"
    write(new, b"first")
    assert stat.S_IMODE(new.stat().st_mode) == 0o600
    os.chmod(new, 0o640)
    write(new, b"second")
    assert stat.S_IMODE(new.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.json"]  # no temporary left


@pytest.mark.parametrize("write", WRITERS)
def test_a_symlink_stays_and_its_target_is_replaced(write: Writer, tmp_path: Path) -> None:
    real = tmp_path / "elsewhere" / "plan.json"
    real.parent.mkdir()
    real.write_bytes(b"# old\n")
    link = tmp_path / "plan.json"
    link.symlink_to(real)
    write(link, b"new")
    assert link.is_symlink() and real.read_bytes() != b"# old\n"


@pytest.mark.parametrize("write", WRITERS)
def test_a_name_planted_beside_the_file_is_never_written_through(
        write: Writer, tmp_path: Path) -> None:
    """Someone who can write to the folder plants links at every temporary name the old
    code used (``.NAME.PID.tmp``): the write neither follows them nor moves one into
    place."""
    victim = tmp_path / "victim"
    victim.write_bytes(b"untouched")
    path = tmp_path / "plan.json"
    planted = tmp_path / f".{path.name}.{os.getpid()}.tmp"
    planted.symlink_to(victim)
    write(path, b"data")
    assert victim.read_bytes() == b"untouched"
    assert not path.is_symlink() and path.read_bytes() != b"untouched"


@pytest.mark.parametrize("write", WRITERS)
def test_the_data_and_the_rename_are_synced(write: Writer, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        info = os.fstat(fd)
        synced.append("folder" if stat.S_ISDIR(info.st_mode) else "file")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    write(tmp_path / "plan.json", b"data")
    assert synced == ["file", "folder"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "plan.json"
    path.write_bytes(b"old")

    def broken(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="No space"):
        files.write_atomically(path, b"new")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]


@pytest.mark.usefixtures("umask_022")
def test_a_snapshot_is_private_even_where_the_file_mode_would_not_be(tmp_path: Path) -> None:
    saved = snapshots.save_snapshot("prod", b'{"data": []}', root=tmp_path / "snapshots")
    assert stat.S_IMODE(saved.snapshot.path.stat().st_mode) == 0o600
