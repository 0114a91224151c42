"""Write files so that an interrupted write never destroys the previous version.

``open(path, "w")`` empties the file first: a full disk, a ``kill -9`` or a Ctrl-C half-way leaves a
truncated file where a good one was. Instead, the new content goes to a temporary file in the same
directory (so that the final rename stays on one file system), is flushed and ``fsync``-ed to
disk, and only then does ``os.replace`` put it in place. That rename is atomic on POSIX and
Windows: a reader, or the next run after a crash, finds the old file or the new one, never a mix.
If anything fails on the way, the temporary file is removed and the old file is untouched.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path

__all__ = ["replacing", "write_text"]


@contextlib.contextmanager
def replacing(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a fresh temporary path next to ``path`` to write to; on success it replaces ``path``.

    The temporary name keeps the extension (``.model.json.5f0c9a1e2b3d4c6a.tmp.json``), so
    writers that pick a format by extension (matplotlib, Graphviz) still do. It is created empty
    with the permissions a plain ``open(path, "w")`` would give (those of the file it replaces,
    if any).
    Any exception in the block, ``KeyboardInterrupt`` included, removes it and re-raises.
    """
    target = Path(path)
    if target.is_symlink():  # replace the file the link points to, not the link
        target = Path(os.path.realpath(target))
    if target.is_dir():  # os.replace would fail only after the whole file was written
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
    directory = target.parent
    tmp = directory / f".{target.name}.{secrets.token_hex(8)}.tmp{target.suffix}"
    # O_EXCL: never take over a file someone else made; mode 0o666: the umask applies, as for open
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
        yield tmp
        with open(tmp, "rb+") as f:  # whoever wrote it may not have synced: make it durable
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _sync_directory(directory)


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Replace the file at ``path`` by ``text`` (UTF-8), atomically (see the module docstring)."""
    with replacing(path) as tmp, open(tmp, "w", encoding="utf-8") as f:
        f.write(text)


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX); directories cannot be opened on Windows."""
    if not hasattr(os, "O_DIRECTORY"):  # pragma: no cover - Windows
        return
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:  # pragma: no cover - e.g. a directory we may write to but not read
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse fsync on directories
        pass
    finally:
        os.close(fd)
