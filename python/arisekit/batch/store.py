"""Crash-safe storage of batch results: a per-frame journal merged into one HDF5 file.

Every finished frame is written at once to its own small file ``<out>.frames/<key>@<index>.npz``
(unique temporary file, fsync, ``os.replace``: a frame file is either complete or absent); a frame that
failed is journalled as ``<key>@<index>.failed.json`` with its reason. At the end of a run, also after
Ctrl-C or an error, the journal is merged into ``<out>``: the old results file is copied (or, if some of
its frames are damaged, rebuilt from its good frames), the new frames are added (each group gets its
``done`` attribute last) and the copy replaces ``<out>`` atomically, so ``<out>`` is always a complete,
valid HDF5 file. After a hard kill the finished frames are still in the journal and the next run merges
them before computing anything. The whole run holds the advisory lock ``<out>.lock``.

Every stored frame carries the ``fingerprint`` of its input frame and a ``checksum`` of its own contents
(:mod:`arisekit.batch.integrity`); at the start of a run the results file is scanned, and damaged frames
are rebuilt from the journal or recomputed. A results file that cannot be opened at all is moved aside
(``<out>.damaged``) and rebuilt from the journal and from scratch.

HDF5 layout::

    /                      attrs: format, mode, class_names (JSON), run (JSON), arisekit_version
    /frames/<key>          attrs: source, size, mtime_ns, ctime_ns, format, index, n_selected, complete
    /frames/<key>/<index>  attrs: done, checksum, fingerprint, n_atoms, info, ... ; datasets
                           (see arisekit.batch.tasks); a failed frame: failed, reason, fingerprint
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import numpy as np

from arisekit._atomic import check_output, output_lock, replace_file, temp_name
from arisekit.batch.integrity import FrameIssue, Scan, looks_like_results, result_checksum, scan
from arisekit.batch.tasks import FrameRecord

__all__ = ["FORMAT", "ResultStore", "journal_dir"]

FORMAT = "arisekit-batch-1"
_RUN_FILE = "run.json"
_ATTRS = "__attrs__"
_FAILED = ".failed.json"
_DROP = ".drop"
_FILE = ".file.json"
_STALE = re.compile(r"^\.arisekit-tmp-[0-9a-f]{8}\.")


def journal_dir(out: str | os.PathLike) -> Path:
    """The per-frame journal folder of results file ``out``."""
    out = Path(out)
    return out.with_name(out.name + ".frames")


def _write_bytes(dest: Path, data: bytes) -> None:
    tmp = temp_name(dest)
    try:
        tmp.write_bytes(data)
        replace_file(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_json(path: Path, data: Any) -> None:
    _write_bytes(path, json.dumps(data, sort_keys=True).encode())


def _same_run(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """Keys whose values differ (JSON round trip first, so tuples equal lists)."""
    a, b = json.loads(json.dumps(a)), json.loads(json.dumps(b))
    return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))


def _entry_name(key: str, index: int, suffix: str) -> str:
    return f"{quote(key, safe='')}@{int(index)}{suffix}"


def _parse_entry(path: Path, suffix: str) -> tuple[str, int]:
    key, _, index = path.name[: -len(suffix)].rpartition("@")
    return unquote(key), int(index)


class ResultStore:
    """Results file ``out`` plus its journal, for one set of run parameters ``run`` (JSON-ready).
    ``inputs``: the input files, which ``out`` must not be."""

    def __init__(self, out: str | os.PathLike, run: dict[str, Any], inputs: Any = ()) -> None:
        self.out = check_output(out, inputs)
        self.journal = journal_dir(self.out)
        self.run = json.loads(json.dumps(run))
        self.notes: list[str] = []  # what was found and repaired, for the user
        self.damaged: list[FrameIssue] = []
        self._scan: Scan | None = None
        self._rebuild = False
        self._unreadable: str | None = None
        self._lock: contextlib.ExitStack | None = None
        self._check_out()
        self._check_journal()

    # --------------------------------------------------------------------------------------- locking
    def lock(self) -> None:
        """Take ``<out>.lock`` (:class:`arisekit._atomic.OutputBusyError`, a ValueError, if another
        process is writing the same results file). The kernel releases it if this process dies."""
        stack = contextlib.ExitStack()
        stack.enter_context(output_lock(self.out))
        self._lock = stack

    def unlock(self) -> None:
        if self._lock is not None:
            self._lock.close()
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
        except Exception as exc:  # OSError mostly; damaged files raise other kinds too
            if looks_like_results(self.out, FORMAT.encode()):
                self._unreadable = f"{type(exc).__name__}: {exc}"
                return
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

    def inspect(self) -> Scan:
        """Scan the results file (call under the lock, before :meth:`merge`): damaged frames are noted
        (and left out when the file is next rewritten); a file that cannot be read at all is moved aside."""
        if self._scan is not None:
            return self._scan
        self._scan = Scan()
        if not self.out.exists():
            return self._scan
        found = scan(self.out) if self._unreadable is None else Scan(problem=self._unreadable)
        if found.problem is None and found.root.get("format") != FORMAT:
            found.problem = f"its format attribute is {found.root.get('format')!r}"
        if found.problem is not None:
            aside = self._move_aside()
            self.notes.append(
                f"{self.out}: damaged, {found.problem}; moved to {aside}. Its frames are taken from the "
                "journal where it holds them, else recomputed"
            )
            return self._scan
        self._scan = found
        if found.damaged:
            self._rebuild = True
            self.damaged = list(found.damaged)
            listed = "; ".join(str(d) for d in found.damaged[:5])
            more = f" and {len(found.damaged) - 5} more" if len(found.damaged) > 5 else ""
            self.notes.append(
                f"{self.out}: {len(found.damaged)} damaged frame(s) ({listed}{more}); they are taken from "
                "the journal where it holds them, else recomputed"
            )
        return self._scan

    def _move_aside(self) -> Path:
        aside = self.out.with_name(self.out.name + ".damaged")
        k = 1
        while aside.exists():
            k += 1
            aside = self.out.with_name(f"{self.out.name}.damaged-{k}")
        os.replace(self.out, aside)
        return aside

    # ----------------------------------------------------------------------------------- what exists
    def finished(self) -> dict[str, dict[int, str]]:
        """Verified finished frames: per file key, frame number -> input fingerprint (results file and
        journal)."""
        found = self.inspect()
        done = {k: dict(v) for k, v in found.good.items()}
        for path in self._journal("*.npz"):
            loaded = _load_entry(path)
            if loaded is not None:
                key, index, result = loaded
                done.setdefault(key, {})[index] = str(result.attrs.get("fingerprint", ""))
        for path in self._journal(f"*{_DROP}"):
            key, index = _parse_entry(path, _DROP)
            done.get(key, {}).pop(index, None)
        return done

    def file_records(self) -> dict[str, dict[str, Any]]:
        """Per-file attributes (source signature, ``complete``, ...) from the results file and journal."""
        records = {k: dict(v) for k, v in self.inspect().files.items()}
        damaged = {d.file for d in self.damaged}
        for key in damaged & set(records):
            records[key]["complete"] = False
        for path in self._journal(f"*{_FILE}"):
            with contextlib.suppress(OSError, json.JSONDecodeError):
                records[unquote(path.name[: -len(_FILE)])] = json.loads(path.read_text())
        return records

    def _journal(self, pattern: str) -> list[Path]:
        """Journal files matching ``pattern`` (never the hidden temporary files of unfinished writes)."""
        if not self.journal.is_dir():
            return []
        return sorted(p for p in self.journal.glob(pattern) if not p.name.startswith("."))

    # ---------------------------------------------------------------------------------------- writes
    def add_frame(self, key: str, index: int, result: FrameRecord) -> Path:
        """Write one finished frame to the journal atomically (with its checksum)."""
        self._open_journal()
        attrs = {k: v for k, v in result.attrs.items() if k != "checksum"}
        arrays = {k: np.asarray(v) for k, v in result.arrays.items()}
        attrs["checksum"] = result_checksum(attrs, arrays)
        dest = self.journal / _entry_name(key, index, ".npz")
        tmp = temp_name(dest)
        try:
            with open(tmp, "wb") as fh:
                np.savez(fh, **arrays, **{_ATTRS: np.array(json.dumps(attrs))})
            replace_file(tmp, dest)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        (self.journal / _entry_name(key, index, _FAILED)).unlink(missing_ok=True)
        return dest

    def add_failure(self, key: str, index: int, reason: str, fingerprint: str = "") -> None:
        """Record that frame ``index`` of ``key`` failed, with its reason."""
        self._open_journal()
        _write_json(
            self.journal / _entry_name(key, index, _FAILED), {"reason": reason, "fingerprint": fingerprint}
        )

    def drop_frame(self, key: str, index: int) -> None:
        """Remove a stored frame that its input no longer has (e.g. a trajectory rewritten shorter)."""
        self._open_journal()
        _write_bytes(self.journal / _entry_name(key, index, _DROP), b"")

    def mark_file(self, key: str, record: dict[str, Any]) -> None:
        """Record file-level attributes (e.g. ``complete=True`` once all its selected frames are done)."""
        self._open_journal()
        _write_json(self.journal / f"{quote(key, safe='')}{_FILE}", record)

    def merge(self, create: bool = False) -> int:
        """Move the journal into the results file (atomic replace); returns the number of frames merged.
        With nothing to merge, an empty results file is only created if ``create``."""
        import h5py

        found = self.inspect()
        for stale in self.journal.glob(".arisekit-tmp-*") if self.journal.is_dir() else []:
            if _STALE.match(stale.name):  # a write cut by a kill
                stale.unlink(missing_ok=True)
        entries, failures = self._journal("*.npz"), self._journal(f"*{_FAILED}")
        drops, records = self._journal(f"*{_DROP}"), self._journal(f"*{_FILE}")
        anything = entries or failures or drops or records or self._rebuild
        if not anything and (self.out.exists() or not create):
            self._drop_journal([])
            return 0
        tmp = temp_name(self.out)
        merged: list[Path] = []
        try:
            if self.out.exists() and not self._rebuild:
                shutil.copyfile(self.out, tmp)
            with h5py.File(tmp, "a") as f:
                if "format" not in f.attrs:
                    _init_root(f, self.run)
                frames = f.require_group("frames")
                if self._rebuild and self.out.exists():
                    self._copy_good(frames, found)
                merged += self._merge_entries(frames, found, failures, entries, drops)
                for path in records:
                    try:
                        record = json.loads(path.read_text())
                    except (OSError, json.JSONDecodeError):
                        path.unlink(missing_ok=True)
                        continue
                    key = unquote(path.name[: -len(_FILE)])
                    group = frames.require_group(key)
                    for k, v in record.items():
                        group.attrs[k] = v
                    found.files[key] = dict(record)
                    merged.append(path)
            replace_file(tmp, self.out)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        self._rebuild = False
        self.damaged = []
        self._drop_journal(merged)
        return sum(1 for p in merged if p.suffix == ".npz")

    def _merge_entries(self, frames: Any, found: Scan, failures, entries, drops) -> list[Path]:
        merged: list[Path] = []
        for path in failures:  # first: a frame that later succeeded is overwritten below
            key, index = _parse_entry(path, _FAILED)
            try:
                record = json.loads(path.read_text())
            except (OSError, json.JSONDecodeError):
                path.unlink(missing_ok=True)
                continue
            _write_failed(frames.require_group(key), str(index), record)
            found.good.get(key, {}).pop(index, None)
            found.failed.setdefault(key, {})[index] = str(record.get("reason", ""))
            merged.append(path)
        for path in entries:
            loaded = _load_entry(path)
            if loaded is None:  # unreadable (e.g. zero bytes after a power cut): recompute it
                path.unlink(missing_ok=True)
                continue
            key, index, result = loaded
            _write_group(frames.require_group(key), str(index), result)
            found.good.setdefault(key, {})[index] = str(result.attrs.get("fingerprint", ""))
            found.failed.get(key, {}).pop(index, None)
            merged.append(path)
        for path in drops:
            key, index = _parse_entry(path, _DROP)
            if key in frames and str(index) in frames[key]:
                del frames[key][str(index)]
            found.good.get(key, {}).pop(index, None)
            found.failed.get(key, {}).pop(index, None)
            merged.append(path)
        return merged

    def _copy_good(self, frames: Any, found: Scan) -> None:
        """Copy the verified frames (and recorded failures) of the damaged results file."""
        import h5py

        damaged = {d.file for d in self.damaged}
        with h5py.File(self.out, "r") as src:
            for key, attrs in found.files.items():
                group = frames.require_group(key)
                for k, v in attrs.items():
                    group.attrs[k] = np.asarray(v) if isinstance(v, list) else v
                if key in damaged:
                    group.attrs["complete"] = False  # read the input again next time
            for key, numbers in found.good.items():
                for index in list(numbers):
                    try:
                        src.copy(src[f"frames/{key}/{index}"], frames.require_group(key), name=str(index))
                    except Exception:  # unreadable after all: recompute it
                        numbers.pop(index)
            for key, reasons in found.failed.items():
                for index, reason in reasons.items():
                    _write_failed(frames.require_group(key), str(index), {"reason": reason})

    def _drop_journal(self, paths: list[Path]) -> None:
        for p in paths:
            p.unlink(missing_ok=True)
        if self.journal.is_dir() and not any(p for p in self.journal.iterdir() if p.name != _RUN_FILE):
            (self.journal / _RUN_FILE).unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                self.journal.rmdir()


def _init_root(f: Any, run: dict[str, Any]) -> None:
    from arisekit import __version__

    f.attrs["format"] = FORMAT
    f.attrs["mode"] = run["mode"]
    f.attrs["class_names"] = json.dumps(run["class_names"])
    f.attrs["run"] = json.dumps(run, sort_keys=True)
    f.attrs["arisekit_version"] = __version__


def _load_entry(path: Path) -> tuple[str, int, FrameRecord] | None:
    """A journal frame, or None if it is unreadable or its checksum does not match."""
    key, index = _parse_entry(path, ".npz")
    try:
        with np.load(path, allow_pickle=False) as z:
            attrs = json.loads(str(z[_ATTRS][()]))
            arrays = {k: z[k] for k in z.files if k != _ATTRS}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, json.JSONDecodeError):
        return None
    if attrs.get("checksum") != result_checksum(attrs, arrays):
        return None
    return key, index, FrameRecord(key, index, attrs, arrays)


def _replace_group(parent: Any, name: str) -> Any:
    if name in parent:
        del parent[name]
    return parent.create_group(name)


def _write_group(parent: Any, name: str, result: FrameRecord) -> None:
    g = _replace_group(parent, name)
    for k, v in result.arrays.items():
        v = np.asarray(v)
        g.create_dataset(k, data=v, compression="gzip" if v.size > 1024 else None)
    for k, v in result.attrs.items():
        g.attrs[k] = np.asarray(v) if isinstance(v, list) else v
    g.attrs["done"] = True  # written last: a group without it is never trusted


def _write_failed(parent: Any, name: str, record: dict[str, Any]) -> None:
    g = _replace_group(parent, name)
    g.attrs["reason"] = str(record.get("reason", ""))
    g.attrs["fingerprint"] = str(record.get("fingerprint", ""))
    g.attrs["failed"] = True
