"""Safe outputs (issue 14): unique temporary files renamed atomically under a lock on the destination;
outputs that are inputs or folders are refused before any work; a second writer gets a clear error;
``kill -9`` at any point leaves the old file or the new one, never a part of one."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from ase.io import write
from conftest import bicrystal

from arisekit._atomic import (
    OutputBusyError,
    OutputError,
    atomic_directory,
    atomic_path,
    check_output,
    lock_path,
    output_lock,
)
from arisekit.cli import main
from arisekit.spm import SPMResult

CLI = "import sys; from arisekit.cli import main; sys.exit(main(sys.argv[1:]))"
HOLD_LOCK = textwrap.dedent(
    """
    import sys, time
    from arisekit._atomic import output_lock
    with output_lock(sys.argv[1]):
        print("locked", flush=True)
        time.sleep(float(sys.argv[2]))
    """
)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".arisekit-") or p.suffix == ".lock")


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory, metal_model):
    return str(metal_model.save(tmp_path_factory.mktemp("model") / "metal"))


@pytest.fixture()
def sample(tmp_path):
    path = tmp_path / "bicrystal.xyz"
    write(path, bicrystal())
    return path


def _spm_args(sample, out, model_dir, *extra):
    return ["spm", str(sample), "--out", str(out), "--model", model_dir, "--box-size", "12", "--stride", "3",
            "--samples", "5", "--threads", "1", *extra]  # fmt: skip


# ------------------------------------------------------------------------------------------- the helper
def test_atomic_path_replaces_only_complete_files(tmp_path):
    dest = tmp_path / "out.txt"
    dest.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(dest) as tmp:
        tmp.write_text("half")
        assert tmp.parent == tmp_path and tmp.name.endswith(".out.txt") and tmp != dest
        raise RuntimeError("cut")
    assert dest.read_text() == "old" and _leftovers(tmp_path) == []
    with atomic_path(dest) as tmp:
        tmp.write_text("new")
        assert dest.read_text() == "old"  # not visible before the block ends
    assert dest.read_text() == "new" and _leftovers(tmp_path) == []


def test_check_output_refuses_inputs_folders_and_missing_folders(tmp_path):
    src = tmp_path / "in.xyz"
    src.write_text("x")
    with pytest.raises(OutputError, match="is the input"):
        check_output(src, [src])
    with pytest.raises(OutputError, match="is the input"):  # another spelling of the same file
        check_output(tmp_path / "." / "in.xyz", [str(src)])
    link = tmp_path / "link.xyz"
    link.symlink_to(src)
    with pytest.raises(OutputError, match="is the input"):
        check_output(link, [src])
    with pytest.raises(OutputError, match="is an existing directory"):
        check_output(tmp_path, [])
    with pytest.raises(OutputError, match="does not exist"):
        check_output(tmp_path / "no" / "x.h5", [])
    with pytest.raises(OutputError, match="exists and is not a directory"):
        check_output(src, [], directory=True)
    with pytest.raises(OutputError, match="holds the input"):
        check_output(tmp_path, [src], directory=True)
    assert check_output(tmp_path / "new.h5", [src]) == tmp_path / "new.h5"


def test_lock_is_refused_to_a_second_process_and_reentrant_here(tmp_path):
    dest = tmp_path / "maps.h5"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(dest), "30"], stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == b"locked"
        with pytest.raises(OutputBusyError, match=f"another arisekit process is writing {dest}"):
            with output_lock(dest):
                pass
    finally:
        holder.kill()
        holder.wait()
    with output_lock(dest), output_lock(dest), atomic_path(dest) as tmp:  # re-entrant in one process
        tmp.write_text("x")
    assert dest.read_text() == "x" and not lock_path(dest).exists()


def test_stale_temporary_files_of_a_killed_writer_are_removed(tmp_path):
    dest = tmp_path / "maps.h5"
    stale = tmp_path / ".arisekit-tmp-0123abcd.maps.h5"
    other = tmp_path / ".arisekit-tmp-0123abcd.other.maps.h5"  # another output's: kept
    stale.write_text("partial")
    other.write_text("partial")
    with atomic_path(dest) as tmp:
        tmp.write_text("x")
    assert not stale.exists() and other.exists()


def test_directory_output_is_swapped_whole_and_foreign_folders_are_refused(tmp_path):
    dest = tmp_path / "model"
    with atomic_directory(dest) as tmp:
        (tmp / "a.txt").write_text("1")
    with atomic_directory(dest, replaceable=lambda p: (p / "a.txt").exists()) as tmp:
        (tmp / "b.txt").write_text("2")
        assert (dest / "a.txt").exists()  # the old folder stays until the new one is complete
    assert sorted(p.name for p in dest.iterdir()) == ["b.txt"] and _leftovers(tmp_path) == []
    with pytest.raises(OutputError, match="other contents"), atomic_directory(dest):
        pass
    # a swap cut between its two renames: the next writer puts the old folder back first
    (tmp_path / ".arisekit-old-0123abcd.model").mkdir()
    (tmp_path / ".arisekit-old-0123abcd.model" / "c.txt").write_text("3")
    os.rename(dest, tmp_path / "elsewhere")
    with output_lock(dest):
        assert (dest / "c.txt").read_text() == "3"


# ----------------------------------------------------------------------------------------- arisekit spm
def test_spm_refuses_its_input_and_a_folder_before_any_work(tmp_path, sample, model_dir, capsys):
    before = sample.read_bytes()
    t0 = time.perf_counter()
    assert main(_spm_args(sample, sample, model_dir)) == 2
    err = capsys.readouterr().err
    assert f"--out {sample}: is the input {sample}" in err and "Traceback" not in err
    assert sample.read_bytes() == before
    folder = tmp_path / "adir"
    folder.mkdir()
    assert main(_spm_args(sample, folder, model_dir)) == 2
    assert f"--out {folder}: is an existing directory" in capsys.readouterr().err
    assert main(_spm_args(sample, tmp_path / "m.h5", model_dir, "--plot", str(sample))) == 2
    assert "--plot" in capsys.readouterr().err and sample.read_bytes() == before
    assert time.perf_counter() - t0 < 5  # refused up front, nothing computed
    assert list(folder.iterdir()) == [] and _leftovers(tmp_path) == [] and not (tmp_path / "m.h5").exists()


# the first writer's computation waits (at most 120 s) until the test has run the second writer
SLOW_CLI = textwrap.dedent(
    """
    import os, sys, time
    import arisekit.spm
    from arisekit.cli import main

    compute, flag = arisekit.spm.spm, sys.argv.pop(1)

    def spm(*args, **kwargs):
        t0 = time.monotonic()
        while not os.path.exists(flag) and time.monotonic() - t0 < 120:
            time.sleep(0.02)
        return compute(*args, **kwargs)

    arisekit.spm.spm = spm
    sys.exit(main(sys.argv[1:]))
    """
)


def test_two_spm_processes_on_one_output(tmp_path, sample, model_dir):
    """Real processes: while the first computes into --out, the second is refused with a clear message;
    the file is the first one's, complete."""
    out, flag = tmp_path / "same.h5", tmp_path / "second-done"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    first = subprocess.Popen(
        [sys.executable, "-c", SLOW_CLI, str(flag), *_spm_args(sample, out, model_dir, "--samples", "20")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not lock_path(out).exists() and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    second = subprocess.run(
        [sys.executable, "-c", CLI, *_spm_args(sample, out, model_dir)], capture_output=True, env=env
    )
    flag.touch()
    assert first.wait(timeout=300) == 0, first.stderr.read().decode()[-2000:]
    err = second.stderr.decode()
    assert second.returncode == 2, err
    assert f"another arisekit process is writing {out}" in err and "Traceback" not in err
    result = SPMResult.load(out)
    assert result.params["n_samples"] == 20 and result.n_boxes > 0
    assert _leftovers(tmp_path) == []


_SAVE_LOOP = textwrap.dedent(
    """
    import sys
    import numpy as np
    from arisekit.spm import SPMResult

    n = 200_000
    rng = np.random.default_rng(0)
    base = dict(shape=(n,), geometry="bulk", centers=rng.random((n, 3)), box_size=np.ones(3), stride=1.0,
                counts=np.arange(n), class_names=["a", "b", "c", "d"])
    print("ready", flush=True)
    for k in range(1, 10_000):
        v = np.full(n, float(k))
        SPMResult(**base, probabilities=np.full((n, 4), float(k)), mutual_information=v,
                  predictive_entropy=v, variation_ratio=v, params={"version": k}).save(sys.argv[1])
    """
)


def _check_complete(path: Path) -> int:
    r = SPMResult.load(path)
    k = r.params["version"]
    for name in ("probabilities", "mutual_information", "predictive_entropy", "variation_ratio"):
        assert np.all(getattr(r, name) == k), name
    assert r.n_boxes == 200_000 and np.array_equal(r.counts, np.arange(200_000))
    return k


def _spm_kill(tmp_path: Path, seed: int) -> None:
    out = tmp_path / "maps.h5"
    proc = subprocess.Popen([sys.executable, "-c", _SAVE_LOOP, str(out)], stdout=subprocess.PIPE)
    assert proc.stdout.readline().strip() == b"ready"
    time.sleep(random.Random(seed).uniform(0.0, 2.0))  # a save takes ~0.1-0.5 s: anywhere inside one
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL
    if out.exists():  # the last complete save, never a part of one
        _check_complete(out)
    with output_lock(out):  # the next writer removes what the killed one left behind
        assert _leftovers(tmp_path) == ["maps.h5.lock"]


@pytest.mark.parametrize("seed", range(3))
def test_sigkill_during_spm_saves_leaves_old_or_new_file(tmp_path, seed):
    _spm_kill(tmp_path, seed)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(3, 23))
def test_sigkill_during_spm_saves_leaves_old_or_new_file_many_seeds(tmp_path, seed):
    _spm_kill(tmp_path, seed)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
def test_sigkill_of_spm_command_keeps_the_previous_maps(tmp_path, sample, model_dir, seed):
    out = tmp_path / "maps.h5"
    assert main(_spm_args(sample, out, model_dir)) == 0
    old = SPMResult.load(out)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    args = _spm_args(sample, out, model_dir, "--samples", "7", "--stride", "2")
    proc = subprocess.Popen([sys.executable, "-c", CLI, *args], stderr=subprocess.DEVNULL, env=env)
    time.sleep(random.Random(seed).uniform(1.0, 12.0))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    new = SPMResult.load(out)
    assert new.params["n_samples"] in (5, 7)
    if new.params["n_samples"] == 5:
        np.testing.assert_array_equal(new.probabilities, old.probabilities)


# ------------------------------------------------------------------------ datasets, models, explore
@pytest.fixture()
def datasets(tmp_path):
    from arisekit.model.dataset import write_dataset

    rng = np.random.default_rng(0)
    paths = []
    for k in range(2):
        X = rng.normal(size=(24, 8)) + np.repeat(np.eye(2, 8) * 4, 12, axis=0)
        y = np.repeat([0, 1], 12)
        paths.append(write_dataset(tmp_path / f"d{k}.h5", X, y, ["fcc", "bcc"], None, {"cutoff": 4.0}))
    return paths


def test_dataset_outputs_refuse_inputs_folders_and_busy_destinations(tmp_path, datasets, capsys):
    a, b = datasets
    before = a.read_bytes()
    assert main(["dataset", "merge", str(a), str(b), "--out", str(a)]) == 2
    assert f"--out {a}: is the input {a}" in capsys.readouterr().err and a.read_bytes() == before
    t0 = time.perf_counter()
    assert main(["dataset", "build", "--out", str(tmp_path), "--classes", "fcc", "--quiet"]) == 2
    assert "is an existing directory" in capsys.readouterr().err and time.perf_counter() - t0 < 5
    out = tmp_path / "merged.h5"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(out), "30"], stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == b"locked"
        assert main(["dataset", "merge", str(a), str(b), "--out", str(out)]) == 2
        assert f"another arisekit process is writing {out}" in capsys.readouterr().err
        assert main(["dataset", "build", "--out", str(out), "--classes", "fcc", "--quiet"]) == 2
        assert f"another arisekit process is writing {out}" in capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()
    assert main(["dataset", "merge", str(a), str(b), "--out", str(out)]) == 0
    assert _leftovers(tmp_path) == []


def test_train_refuses_its_dataset_and_foreign_folders_and_replaces_a_model_whole(tmp_path, datasets, capsys):
    a, _ = datasets
    train = ["train", "--dataset", str(a), "--epochs", "2", "--hidden", "8", "--validation-fraction", "0.25"]
    assert main([*train, "--out", str(a)]) == 2
    assert f"--out {a}: is the input {a}" in capsys.readouterr().err
    assert main([*train, "--out", str(tmp_path)]) == 2  # the folder holding the dataset
    assert "holds the input" in capsys.readouterr().err
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "mine.txt").write_text("keep me")
    assert main([*train, "--out", str(foreign)]) == 2
    assert "other contents" in capsys.readouterr().err and (foreign / "mine.txt").exists()

    model = tmp_path / "model"
    assert main([*train, "--out", str(model)]) == 0
    first = (model / "manifest.json").read_text()
    (model / "stray.txt").write_text("from before")
    assert main([*train, "--out", str(model), "--seed", "7"]) == 0
    assert (model / "manifest.json").read_text() != first and not (model / "stray.txt").exists()
    assert _leftovers(tmp_path) == []


def test_explore_refuses_its_input_and_a_file_as_output_folder(tmp_path, capsys):
    n = 8
    v = np.zeros(n)
    result = SPMResult(
        shape=(n,), geometry="bulk", centers=np.zeros((n, 3)), box_size=np.ones(3), stride=1.0,
        counts=np.ones(n), probabilities=np.full((n, 2), 0.5), mutual_information=v,
        predictive_entropy=v, variation_ratio=v, class_names=["a", "b"],
    )  # fmt: skip
    path = result.save(tmp_path / "maps.h5")
    before = path.read_bytes()
    assert main(["explore", str(path), "--out", str(path)]) == 2
    assert f"--out {path}: is the input {path}" in capsys.readouterr().err
    other = tmp_path / "file.txt"
    other.write_text("x")
    assert main(["explore", str(path), "--out", str(other)]) == 2
    assert "exists and is not a directory" in capsys.readouterr().err
    assert path.read_bytes() == before and other.read_text() == "x"


def test_model_save_is_locked_and_leaves_no_temporaries(tmp_path, metal_model):
    """ARISEClassifier.save: a second process saving the same folder is refused; files land whole."""
    from arisekit.model import load_model

    dest = tmp_path / "model"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(dest), "30"], stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == b"locked"
        with pytest.raises(OutputBusyError, match="another arisekit process"):
            metal_model.save(dest)
    finally:
        holder.kill()
        holder.wait()
    metal_model.save(dest)
    assert not _leftovers(dest) and not _leftovers(tmp_path)
    assert load_model(dest).classes_.tolist() == metal_model.classes_.tolist()
