"""Reading a file a person named: a regular file or a pipe, up to a size, never a device.

Snapshot files (``definitions diff``/``lint``), bulk inputs and plans, and the mock's org
files are named on the command line, so anything can be there: ``/dev/zero`` or
``/dev/urandom`` never end and a plain ``read()`` would fill memory until the machine gives
up; a directory or a file of gigabytes is a mistake to say, not to attempt. A pipe (``-`` or
``<(...)``) is read, but only up to the same size. Standard library only: the domain, the
CLI and the mock all use it.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

MB = 1024 * 1024
BULK_FILE_LIMIT = 256 * MB  # a bulk input or plan: some million rows; /dev/zero never ends


class InputFileError(OSError):
    """The file cannot be read as input; ``strerror`` is the sentence to show (it names the
    file and what to do)."""

    def __init__(self, code: int, sentence: str) -> None:
        super().__init__(code, sentence)

    def __str__(self) -> str:
        return self.strerror or ""


def read_input(path: str | Path, limit: int, *, pipes: bool = True) -> bytes:
    """The bytes of the regular file or pipe at ``path``, at most ``limit`` of them
    (``pipes`` False: a regular file only, for a dialog, where a pipe's writer may never
    come).

    Raises :class:`InputFileError` for a directory, a device, or more than ``limit`` bytes,
    and ``OSError`` when the file cannot be opened (no such file, permission)."""
    name = str(path)
    info = os.stat(path)
    _check_kind(name, info.st_mode)
    if not pipes and not stat.S_ISREG(info.st_mode):
        raise InputFileError(errno.EINVAL, f"{name} is a pipe, not a file: name a file")
    if stat.S_ISREG(info.st_mode) and info.st_size > limit:
        raise _too_big(name, limit)
    # Non-blocking open, in case the file was swapped for a device since the stat.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as file:
        _check_kind(name, os.fstat(file.fileno()).st_mode)
        if stat.S_ISFIFO(os.fstat(file.fileno()).st_mode):
            os.set_blocking(file.fileno(), True)  # a pipe's writer may be slower than us
        return read_stream(file, limit, name)


def read_stream(stream: BinaryIO, limit: int, name: str = "standard input") -> bytes:
    """At most ``limit`` bytes of ``stream`` (standard input, a pipe); more is an error."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise _too_big(name, limit)
    return data


def _check_kind(name: str, mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise InputFileError(errno.EISDIR, f"{name} is a folder: name a file in it")
    if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
        raise InputFileError(errno.EINVAL, f"{name} is not a file (a device or a socket): "
                                           "name a file, or pipe its content in")


def _too_big(name: str, limit: int) -> InputFileError:
    return InputFileError(errno.EFBIG, f"{name} is larger than {limit // MB:,} MB, more than "
                                       "dixa-tui reads as input: split it, or check it is "
                                       "the file you meant")
