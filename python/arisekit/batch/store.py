"""Crash-safe storage of batch results: a per-frame journal merged into one HDF5 file.

Every finished frame is written at once to its own small file ``<out>.frames/<key>@<index>.npz``
(temporary file, fsync, ``os.replace``: a frame file is either complete or absent). At the end of a run,
also after Ctrl-C or an error, the journal is merged into ``<out>``: the old results file is copied,
the new frames are added (each group gets its ``done`` attribute last) and the copy replaces ``<out>``
atomically, so ``<out>`` is always a complete, valid HDF5 file. After a hard kill the finished frames
are still in the journal and the next run merges them before computing anything.

HDF5 layout::

    /                      attrs: format, mode, class_names (JSON), run (JSON), arisekit_version
    /frames/<key>          attrs: source, size, mtime_ns, format, index, n_selected, complete
    /frames/<key>/<index>  attrs: done, n_atoms, info, ... ; datasets (see arisekit.batch.tasks)
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import numpy as np

from arisekit.batch.tasks import FrameResult

__all__ = ["FORMAT", "ResultStore", "journal_dir"]

FORMAT = "arisekit-batch-1"
_RUN_FILE = "run.json"
_ATTRS = "__attrs__"


def journal_dir(out: str | os.PathLike) -> Path:
    """The per-frame journal folder of results file ``out``."""
    out = Path(out)
    return out.with_name(out.name + ".frames")


def _fsync_replace(tmp: Path, dest: Path) -> None:
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, dest)


def _write_json(path: Path, data: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, sort_keys=True))
    _fsync_replace(tmp, path)


def _same_run(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """Keys whose values differ (JSON round trip first, so tuples equal lists)."""
    a, b = json.loads(json.dumps(a)), json.loads(json.dumps(b))
    return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))


class ResultStore:
    """Results file ``out`` plus its journal, for one set of run parameters ``run`` (JSON-ready)."""

    def __init__(self, out: str | os.PathLike, run: dict[str, Any]) -> None:
        self.out = Path(out)
        self.journal = journal_dir(self.out)
        self.run = json.loads(json.dumps(run))
        if self.out.is_dir():
            raise ValueError(f"--out {self.out}: is a directory")
        if not self.out.parent.is_dir():
            raise FileNotFoundError(f"--out {self.out}: folder {self.out.parent} does not exist")
        self._check_out()
        self._check_journal()

    # --------------------------------------------------------------------------------------- locking
    def lock(self) -> None:
        """Take ``<out>.lock`` (ValueError if another run is writing the same results file). The kernel
        releases it if this process dies."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: no protection against concurrent runs
            return
        path = self.out.with_name(self.out.name + ".lock")
        fh = open(path, "a")  # noqa: SIM115 - held open until unlock()
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise ValueError(f"--out {self.out}: another arisekit batch run is writing it ({path})") from None
        self._lock = (fh, path)

    def unlock(self) -> None:
        lock = getattr(self, "_lock", None)
        if lock is not None:
            fh, path = lock
            path.unlink(missing_ok=True)
            fh.close()
            self._lock = None

    # ---------------------------------------------------------------------------------- consistency
    def _mismatch(self, where: str, stored: dict[str, Any]) -> None:
        diff = _same_run(stored, self.run)
        if diff:
            detail = ", ".join(f"{k}: {stored.get(k)!r} there, {self.run.get(k)!r} now" for k in diff[:4])
            raise ValueError(
                f"{where} holds results of a run with other parameters ({detail}); "
                "use another --out or the same parameters and model to resume"
            )

    def _check_out(self) -> None:
        if not self.out.exists():
            return
        import h5py

        try:
            with h5py.File(self.out, "r") as f:
                fmt = f.attrs.get("format")
                run = json.loads(f.attrs["run"]) if fmt == FORMAT else None
        except (OSError, KeyError, json.JSONDecodeError) as exc:
            raise ValueError(
                f"--out {self.out}: exists but is not a readable arisekit batch file ({exc})"
            ) from exc
        if run is None:
            raise ValueError(f"--out {self.out}: exists but is not an arisekit batch file (format {fmt!r})")
        self._mismatch(str(self.out), run)

    def _check_journal(self) -> None:
        run_file = self.journal / _RUN_FILE
        if run_file.exists():
            try:
                stored = json.loads(run_file.read_text())
            except (OSError, json.JSONDecodeError) as exc:
                raise ValueError(f"{run_file}: unreadable journal header ({exc})") from exc
            self._mismatch(str(self.journal), stored)

    def _open_journal(self) -> None:
        if not (self.journal / _RUN_FILE).exists():
            self.journal.mkdir(exist_ok=True)
            _write_json(self.journal / _RUN_FILE, self.run)

    # ----------------------------------------------------------------------------------- what exists
    def finished(self) -> dict[str, set[int]]:
        """Frame numbers with results, per file key (results file and journal)."""
        done: dict[str, set[int]] = {}
        if self.out.exists():
            import h5py

            with h5py.File(self.out, "r") as f:
                for key, group in f.get("frames", {}).items():
                    done[key] = {int(i) for i, g in group.items() if g.attrs.get("done", False)}
        for path in self.journal.glob("*.npz") if self.journal.is_dir() else []:
            key, _, index = path.stem.rpartition("@")
            done.setdefault(unquote(key), set()).add(int(index))
        return done

    def file_records(self) -> dict[str, dict[str, Any]]:
        """Per-file attributes (source signature, ``complete``, ...) from the results file and journal."""
        records: dict[str, dict[str, Any]] = {}
        if self.out.exists():
            import h5py

            with h5py.File(self.out, "r") as f:
                for key, group in f.get("frames", {}).items():
                    records[key] = {k: _plain(v) for k, v in group.attrs.items()}
        for path in self.journal.glob("*.file.json") if self.journal.is_dir() else []:
            with contextlib.suppress(OSError, json.JSONDecodeError):
                records[unquote(path.name[: -len(".file.json")])] = json.loads(path.read_text())
        return records

    # ---------------------------------------------------------------------------------------- writes
    def add_frame(self, key: str, index: int, result: FrameResult) -> Path:
        """Write one finished frame to the journal atomically."""
        self._open_journal()
        name = f"{quote(key, safe='')}@{int(index)}.npz"
        dest = self.journal / name
        tmp = self.journal / (name + ".tmp")
        arrays = {k: np.asarray(v) for k, v in result.arrays.items()}
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays, **{_ATTRS: np.array(json.dumps(result.attrs))})
        _fsync_replace(tmp, dest)
        return dest

    def mark_file(self, key: str, record: dict[str, Any]) -> None:
        """Record file-level attributes (e.g. ``complete=True`` once all its selected frames are done)."""
        self._open_journal()
        _write_json(self.journal / f"{quote(key, safe='')}.file.json", record)

    def merge(self, create: bool = False) -> int:
        """Move the journal into the results file (atomic replace); returns the number of frames merged.
        With nothing to merge, an empty results file is only created if ``create``."""
        import h5py

        for stale in self.journal.glob("*.tmp") if self.journal.is_dir() else []:  # writes cut by a kill
            stale.unlink(missing_ok=True)
        entries = sorted(self.journal.glob("*.npz")) if self.journal.is_dir() else []
        records = sorted(self.journal.glob("*.file.json")) if self.journal.is_dir() else []
        if not entries and not records and (self.out.exists() or not create):
            self._drop_journal([])
            return 0
        tmp = self.out.with_name(self.out.name + ".tmp")
        if self.out.exists():
            shutil.copyfile(self.out, tmp)
        else:
            tmp.unlink(missing_ok=True)
        merged: list[Path] = []
        with h5py.File(tmp, "a") as f:
            if "format" not in f.attrs:
                _init_root(f, self.run)
            frames = f.require_group("frames")
            for path in entries:
                loaded = _load_entry(path)
                if loaded is None:  # unreadable (e.g. zero bytes after a power cut): recompute it
                    path.unlink(missing_ok=True)
                    continue
                key, index, result = loaded
                _write_group(frames.require_group(key), str(index), result)
                merged.append(path)
            for path in records:
                try:
                    record = json.loads(path.read_text())
                except (OSError, json.JSONDecodeError):
                    path.unlink(missing_ok=True)
                    continue
                group = frames.require_group(unquote(path.name[: -len(".file.json")]))
                for k, v in record.items():
                    group.attrs[k] = v
                merged.append(path)
        _fsync_replace(tmp, self.out)
        self._drop_journal(merged)
        return sum(1 for p in merged if p.suffix == ".npz")

    def _drop_journal(self, paths: list[Path]) -> None:
        for p in paths:
            p.unlink(missing_ok=True)
        if self.journal.is_dir() and not any(p for p in self.journal.iterdir() if p.name != _RUN_FILE):
            (self.journal / _RUN_FILE).unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                self.journal.rmdir()


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, bytes):
        return value.decode()
    return value


def _init_root(f: Any, run: dict[str, Any]) -> None:
    from arisekit import __version__

    f.attrs["format"] = FORMAT
    f.attrs["mode"] = run["mode"]
    f.attrs["class_names"] = json.dumps(run["class_names"])
    f.attrs["run"] = json.dumps(run, sort_keys=True)
    f.attrs["arisekit_version"] = __version__


def _load_entry(path: Path) -> tuple[str, int, FrameResult] | None:
    key, _, index = path.stem.rpartition("@")
    try:
        with np.load(path, allow_pickle=False) as z:
            attrs = json.loads(str(z[_ATTRS][()]))
            arrays = {k: z[k] for k in z.files if k != _ATTRS}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, json.JSONDecodeError):
        return None
    return unquote(key), int(index), FrameResult(attrs, arrays)


def _write_group(parent: Any, name: str, result: FrameResult) -> None:
    if name in parent:
        del parent[name]
    g = parent.create_group(name)
    for k, v in result.arrays.items():
        v = np.asarray(v)
        g.create_dataset(k, data=v, compression="gzip" if v.size > 1024 else None)
    for k, v in result.attrs.items():
        g.attrs[k] = np.asarray(v) if isinstance(v, list) else v
    g.attrs["done"] = True  # written last: a group without it is never trusted
