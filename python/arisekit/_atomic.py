"""Safe output files: refuse outputs that are inputs or folders, lock the destination, write under a unique
temporary name beside it and rename it into place atomically.

Every deliverable output of arisekit goes through this module:

* :func:`check_output` refuses, before any work, an output that is an existing directory (file outputs),
  an existing file (directory outputs), one of the inputs, or in a folder that does not exist;
* :func:`output_lock` takes an advisory, non-blocking ``fcntl.flock`` on ``<dest>.lock`` (re-entrant in
  one process), so a second arisekit process writing the same destination gets :class:`OutputBusyError`;
* :func:`atomic_path` / :func:`atomic_directory` yield a unique temporary file / folder in the destination
  folder and ``os.replace`` it over the destination only once it is complete (after ``fsync``): a reader
  sees the old output or the new one, never a part of one, even after ``kill -9``.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

__all__ = [
    "OutputBusyError",
    "OutputError",
    "atomic_directory",
    "atomic_path",
    "check_output",
    "locked_output",
    "lock_path",
    "output_lock",
    "replace_file",
    "temp_name",
    "write_bytes",
    "write_text",
]

_TMP = ".arisekit-tmp-"
_OLD = ".arisekit-old-"
_held: dict[str, list] = {}  # lock file -> [fd, depth] of locks this process holds
_held_guard = threading.Lock()


class OutputError(ValueError):
    """An output path that must not be written (an input, a directory, a missing folder)."""


class OutputBusyError(OutputError):
    """Another process holds the destination's lock."""


# ------------------------------------------------------------------------------------------------ checks
def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist: compare the paths
        return os.path.realpath(a) == os.path.realpath(b)


def _inside(path: Path, folder: Path) -> bool:
    try:
        Path(os.path.realpath(path)).relative_to(os.path.realpath(folder))
    except ValueError:
        return False
    return True


def check_output(
    path: str | os.PathLike,
    inputs: Iterable[str | os.PathLike | None] = (),
    *,
    directory: bool = False,
    keep_contents: bool = False,
    what: str = "--out",
) -> Path:
    """``path`` as a Path if it may be written; :class:`OutputError` naming the problem otherwise.

    A file output (``directory=False``) must not be an existing directory; a directory output must not be
    an existing file nor contain an input (unless ``keep_contents``: its files are written one by one and
    the folder is never replaced). Neither may be one of ``inputs`` (same path or same file)."""
    path = Path(path)
    if str(path) in ("", ".", ".."):
        raise OutputError(f"{what} {str(path)!r}: not a valid output name")
    for item in inputs:
        if item is None:
            continue
        source = Path(item)
        if _same_file(path, source):
            raise OutputError(
                f"{what} {path}: is the input {source}; writing it would destroy the input - "
                "give another output name"
            )
        if directory and not keep_contents and path.is_dir() and _inside(source, path):
            raise OutputError(
                f"{what} {path}: holds the input {source}; replacing the folder would destroy it - "
                "give another output folder"
            )
    if directory:
        if path.exists() and not path.is_dir():
            raise OutputError(f"{what} {path}: exists and is not a directory; give a folder name")
    elif path.is_dir():
        raise OutputError(f"{what} {path}: is an existing directory; give a file name")
    parent = path.absolute().parent
    if not parent.is_dir():
        raise OutputError(f"{what} {path}: folder {parent} does not exist")
    return path


# ----------------------------------------------------------------------------------------------- locking
def lock_path(path: str | os.PathLike) -> Path:
    """The advisory lock file of destination ``path``: ``<path>.lock``."""
    path = Path(path)
    return path.with_name(path.name + ".lock")


def _lock_key(path: Path) -> str:
    return os.path.join(os.path.realpath(path.absolute().parent), path.name)


def _acquire(lock: Path, dest: Path) -> int:
    import fcntl

    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise OutputBusyError(
                f"another arisekit process is writing {dest} (lock {lock} is held); wait for it to finish "
                "or give another output name"
            ) from None
        try:  # a finishing writer unlinks the lock file: make sure ours is still the one at the path
            same = os.stat(lock).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()}\n".encode())
            return fd
        os.close(fd)


@contextlib.contextmanager
def output_lock(path: str | os.PathLike) -> Iterator[Path]:
    """Hold the advisory lock ``<path>.lock`` (:class:`OutputBusyError` at once if another process holds
    it; re-entrant within this process). The kernel drops it if the process dies; the lock file is
    removed on release. Stale temporary files of ``path`` (left by a killed writer) are removed."""
    path = Path(path)
    lock = lock_path(path)
    key = _lock_key(lock)
    try:
        import fcntl  # noqa: F401
    except ImportError:  # pragma: no cover - not POSIX: no protection against concurrent writers
        yield path
        return
    with _held_guard:
        entry = _held.get(key)
        if entry is None:
            entry = _held[key] = [_acquire(lock, path), 0]
            _remove_stale(path)
        entry[1] += 1
    try:
        yield path
    finally:
        with _held_guard:
            entry[1] -= 1
            if entry[1] == 0:
                del _held[key]
                with contextlib.suppress(OSError):
                    os.unlink(lock)  # before unlocking: a waiting opener then sees a new inode
                os.close(entry[0])


@contextlib.contextmanager
def locked_output(
    path: str | os.PathLike,
    inputs: Iterable[str | os.PathLike | None] = (),
    *,
    directory: bool = False,
    keep_contents: bool = False,
    what: str = "--out",
) -> Iterator[Path]:
    """:func:`check_output` then :func:`output_lock`, held for a whole computation (so that a second
    writer is refused at once, not after its work); yields ``path`` as a Path."""
    path = check_output(path, inputs, directory=directory, keep_contents=keep_contents, what=what)
    with output_lock(path):
        yield path


def _remove_stale(path: Path) -> None:
    """Remove temporary files/folders of ``path`` left by a killed writer; put back a directory output
    that a killed :func:`atomic_directory` had moved aside."""
    parent = path.absolute().parent
    pattern = re.compile(rf"^({re.escape(_TMP)}|{re.escape(_OLD)})[0-9a-f]{{8}}\.{re.escape(path.name)}$")
    try:
        names = [n for n in os.listdir(parent) if pattern.match(n)]
    except OSError:
        return
    for name in sorted(names, key=lambda n: not n.startswith(_OLD)):
        item = parent / name
        if name.startswith(_OLD) and not path.exists():
            os.replace(item, path)  # the swap was cut between its two renames: the old output returns
        elif item.is_dir() and not item.is_symlink():
            shutil.rmtree(item, ignore_errors=True)
        else:
            item.unlink(missing_ok=True)


# ------------------------------------------------------------------------------------------------ writes
def temp_name(path: str | os.PathLike, prefix: str = _TMP) -> Path:
    """A fresh name beside ``path`` that ends with ``path``'s own name (so suffix-based format detection
    still works), e.g. ``.arisekit-tmp-1a2b3c4d.maps.h5``."""
    path = Path(path)
    return path.with_name(f"{prefix}{secrets.token_hex(4)}.{path.name}")


def _new_file(path: Path) -> Path:
    while True:
        tmp = temp_name(path)
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _mode(path))
        except FileExistsError:
            continue
        os.close(fd)
        return tmp


def _mode(path: Path) -> int:
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        return 0o666  # the umask applies


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def replace_file(tmp: str | os.PathLike, dest: str | os.PathLike) -> None:
    """``fsync`` the complete temporary file ``tmp`` and rename it over ``dest`` atomically."""
    tmp, dest = Path(tmp), Path(dest)
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, dest)
    _fsync_dir(dest.absolute().parent)


@contextlib.contextmanager
def atomic_path(
    path: str | os.PathLike,
    inputs: Iterable[str | os.PathLike | None] = (),
    *,
    what: str = "--out",
    lock: bool = True,
) -> Iterator[Path]:
    """Yield a unique temporary path beside ``path``; once the block ends without error it replaces
    ``path`` atomically (on error it is removed and ``path`` is untouched). Checks ``path`` first
    (:func:`check_output`) and holds its lock (:func:`output_lock`) unless ``lock=False``."""
    path = check_output(path, inputs, what=what)
    with output_lock(path) if lock else contextlib.nullcontext(path):
        tmp = _new_file(path)
        try:
            yield tmp
            replace_file(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise


def write_bytes(path: str | os.PathLike, data: bytes, inputs: Iterable = (), what: str = "--out") -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_path`)."""
    with atomic_path(path, inputs, what=what) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_text(path: str | os.PathLike, text: str, inputs: Iterable = (), what: str = "--out") -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically (see :func:`atomic_path`)."""
    return write_bytes(path, text.encode("utf-8"), inputs, what)


@contextlib.contextmanager
def atomic_directory(
    path: str | os.PathLike,
    inputs: Iterable[str | os.PathLike | None] = (),
    *,
    what: str = "--out",
    replaceable: Callable[[Path], bool] | None = None,
) -> Iterator[Path]:
    """Yield a new temporary folder beside ``path``; once the block ends without error it takes the place
    of ``path`` (an existing ``path`` is moved aside first and then deleted; if the process dies in
    between, the next writer puts it back). ``replaceable(path)`` must accept an existing, non-empty
    ``path`` (default: refuse it), so that no unrelated folder is ever replaced."""
    path = check_output(path, inputs, directory=True, what=what)
    with output_lock(path):
        if path.is_dir() and any(path.iterdir()) and not (replaceable and replaceable(path)):
            raise OutputError(f"{what} {path}: is a folder with other contents; give a new or empty folder")
        tmp = temp_name(path)
        tmp.mkdir()
        try:
            yield tmp
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        for item in tmp.rglob("*"):
            if item.is_file():
                with open(item, "rb") as fh:
                    os.fsync(fh.fileno())
        if path.exists():
            old = temp_name(path, _OLD)
            os.replace(path, old)
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, path)
        _fsync_dir(path.absolute().parent)
