"""``arisekit batch``: outputs, resume, crash safety, streaming, bad input and unreachable schedulers.

Most runs use one in-process Dask cluster shared by the module (``--scheduler`` to its address) so the
tests stay fast; ``test_embedded_local_cluster`` covers the default embedded cluster.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import h5py
import numpy as np
import pytest
from ase.io import write
from conftest import METALS, bicrystal

from arisekit.batch import journal_dir, load_results, load_spm_frame, run_batch
from arisekit.batch.inputs import discover, iter_frames, parse_index
from arisekit.batch.store import ResultStore
from arisekit.cli import main
from arisekit.io import write_point_cloud

SAMPLES = "20"


def _noisy(kind: str, rep, rng, sigma: float = 0.03):
    atoms = METALS[kind]().repeat(rep)
    atoms.positions += rng.normal(0.0, sigma, atoms.positions.shape)
    return atoms


def _lammps_dump(path, frames) -> None:
    lines = []
    for step, atoms in enumerate(frames):
        lines += ["ITEM: TIMESTEP", str(100 * step), "ITEM: NUMBER OF ATOMS", str(len(atoms))]
        lines += ["ITEM: BOX BOUNDS pp pp pp", *(f"0.0 {length:.6f}" for length in atoms.cell.lengths())]
        lines += ["ITEM: ATOMS id type x y z"]
        lines += [f"{i + 1} 1 {x:.6f} {y:.6f} {z:.6f}" for i, (x, y, z) in enumerate(atoms.positions)]
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def data(tmp_path_factory, metal_model):
    """Model directory and inputs: two extended XYZ files and a LAMMPS dump, 3 frames each, with
    changing atom counts."""
    root = tmp_path_factory.mktemp("batch")
    rng = np.random.default_rng(5)
    model_dir = metal_model.save(root / "model")
    write(root / "fcc_run.extxyz", [_noisy("fcc", r, rng) for r in (2, 3, 2)], format="extxyz")
    write(root / "bcc_run.extxyz", [_noisy("bcc", r, rng) for r in (3, 2, 3)], format="extxyz")
    _lammps_dump(root / "md.lammpstrj", [_noisy("bcc", r, rng) for r in (3, 4, 3)])
    files = [str(root / n) for n in ("fcc_run.extxyz", "bcc_run.extxyz", "md.lammpstrj")]
    return {"root": root, "model": str(model_dir), "files": files}


@pytest.fixture(scope="module")
def cluster():
    """One in-process Dask cluster (1 worker thread) shared by this module's runs."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as c:
        yield c


@pytest.fixture()
def client(cluster):
    from distributed import Client

    with Client(cluster, set_as_default=False) as c:
        yield c


def _logging(function, log):
    """``function`` that also appends a line (its ``n_threads``) to the file ``log`` per call. Tasks are
    pickled even for in-process workers, so counters must live outside the function object."""

    def wrapper(*args, **kwargs):
        with open(log, "a") as fh:
            fh.write(f"n_threads={kwargs.get('n_threads')}\n")
        return function(*args, **kwargs)

    return wrapper


def _cli(data, cluster, out, *extra):
    args = ["batch", *data["files"], "--out", str(out), "--model", data["model"], "--samples", SAMPLES]
    return main([*args, "--scheduler", cluster.scheduler_address, "--no-progress", *extra])


def test_global_batch_contents_plot_and_resume(data, cluster, tmp_path, capsys, monkeypatch):
    out = tmp_path / "results.h5"
    assert _cli(data, cluster, out) == 0
    assert "9 frames computed, 0 skipped" in capsys.readouterr().out
    res = load_results(out)
    assert res.mode == "global" and res.class_names == list(METALS)
    assert sorted(res.keys()) == sorted((f, i) for f in ("bcc_run", "fcc_run", "md") for i in range(3))
    expected = {"fcc_run": "fcc", "bcc_run": "bcc", "md": "bcc"}
    atoms_per_frame = {"fcc_run": [32, 108, 32], "bcc_run": [54, 16, 54], "md": [54, 128, 54]}
    for rec in res.frames:
        assert rec.prediction == expected[rec.file]
        assert rec.n_atoms == atoms_per_frame[rec.file][rec.index]
        assert rec.probabilities.shape == (4,) and abs(rec.probabilities.sum() - 1) < 1e-6
        assert 0 <= rec.mutual_information <= rec.predictive_entropy + 1e-12
    assert [res.frame("md", i).info["timestep"] for i in range(3)] == [0, 100, 200]
    assert all(res.files[k]["complete"] and res.files[k]["n_selected"] == 3 for k in expected)
    assert not journal_dir(out).exists()
    png = out.with_suffix(".png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000

    # rerunning the same command computes nothing: counted in the worker function itself
    import arisekit.batch.tasks as tasks

    log = tmp_path / "calls.log"
    monkeypatch.setattr(tasks, "classify_frame", _logging(tasks.classify_frame, log))
    assert _cli(data, cluster, out) == 0
    assert "0 frames computed, 9 skipped" in capsys.readouterr().out
    assert not log.exists() and len(load_results(out)) == 9
    assert _cli(data, cluster, tmp_path / "other.h5", "--index", "0") == 0  # the counter does count
    assert log.read_text().count("\n") == 3


def test_interrupted_run_keeps_finished_frames_and_resumes(data, cluster, tmp_path, monkeypatch, capsys):
    out = tmp_path / "results.h5"
    original = ResultStore.add_frame
    saved = []

    def interrupt_after_three(self, key, index, result):
        if len(saved) == 3:
            raise KeyboardInterrupt  # as if Ctrl-C arrived while the 4th frame was being saved
        saved.append((key, index))
        return original(self, key, index, result)

    monkeypatch.setattr(ResultStore, "add_frame", interrupt_after_three)
    assert _cli(data, cluster, out, "--max-in-flight", "1") == 130
    assert "interrupted" in capsys.readouterr().err
    with h5py.File(out, "r") as f:  # a valid file holding exactly the finished frames
        assert all(f[f"frames/{k}/{i}"].attrs["done"] for k, i in saved)
    assert sorted(load_results(out).keys()) == sorted(saved)
    assert not journal_dir(out).exists()

    monkeypatch.setattr(ResultStore, "add_frame", original)
    assert _cli(data, cluster, out) == 0
    assert "6 frames computed, 3 skipped" in capsys.readouterr().out
    assert len(load_results(out)) == 9


def test_hard_kill_leaves_journal_that_the_next_run_merges(data, cluster, tmp_path, monkeypatch, capsys):
    """A kill -9 skips every cleanup: frames are then only in the journal (one atomic file each)."""
    out = tmp_path / "results.h5"
    original_add, original_merge = ResultStore.add_frame, ResultStore.merge
    count = []

    def die_after_four(self, key, index, result):
        if len(count) == 4:
            raise SystemExit("killed")
        count.append(1)
        return original_add(self, key, index, result)

    monkeypatch.setattr(ResultStore, "add_frame", die_after_four)
    monkeypatch.setattr(ResultStore, "merge", lambda self, create=False: 0)  # no cleanup after a kill
    with pytest.raises(SystemExit):
        _cli(data, cluster, out, "--max-in-flight", "1")
    journal = journal_dir(out)
    entries = sorted(journal.glob("*.npz"))
    assert len(entries) == 4 and not out.exists() and not list(journal.glob("*.tmp"))
    entries[0].write_bytes(b"")  # a frame file destroyed e.g. by a power cut: recomputed, not trusted

    monkeypatch.setattr(ResultStore, "add_frame", original_add)
    monkeypatch.setattr(ResultStore, "merge", original_merge)
    assert _cli(data, cluster, out) == 0
    assert (
        "6 frames computed, 3 skipped (already done), 0 failed, 0 error(s), 3 recovered"
        in capsys.readouterr().out
    )
    assert len(load_results(out)) == 9 and not journal.exists()


def test_frames_are_streamed_with_bounded_in_flight(data, client, tmp_path, monkeypatch):
    import arisekit.batch.runner as runner

    read, written = [], []
    original_iter, original_add = runner.iter_frames_tolerant, ResultStore.add_frame

    def counting_iter(*args, **kwargs):
        for item in original_iter(*args, **kwargs):
            read.append(len(written))  # frames already written when the next one is read
            yield item

    def counting_add(self, *args):
        written.append(1)
        return original_add(self, *args)

    monkeypatch.setattr(runner, "iter_frames_tolerant", counting_iter)
    monkeypatch.setattr(ResultStore, "add_frame", counting_add)
    summary = run_batch(
        data["files"],
        tmp_path / "r.h5",
        model=data["model"],
        n_samples=5,
        client=client,
        max_in_flight=2,
        progress=False,
        plot=False,
    )
    assert summary.computed == 9 and len(read) == 9
    assert all(k - done < 2 for k, done in enumerate(read))  # fewer than max_in_flight frames pending


def test_bad_frames_and_truncated_files_name_file_and_frame(data, cluster, tmp_path, capsys):
    rng = np.random.default_rng(1)
    single = METALS["fcc"]()[:1]  # one atom, no periodic axis: no d_NN (a periodic 1-atom cell is valid)
    single.pbc = False
    mixed = tmp_path / "mixed.extxyz"
    write(mixed, [_noisy("fcc", 2, rng), single, _noisy("fcc", 2, rng)], format="extxyz")
    truncated = tmp_path / "cut.extxyz"
    write(truncated, [_noisy("bcc", 2, rng), _noisy("bcc", 2, rng)], format="extxyz")
    text = truncated.read_text().splitlines()
    truncated.write_text("\n".join(text[:-5]) + "\n")  # second frame loses its last atom rows
    out = tmp_path / "results.h5"
    args = [
        "batch",
        str(mixed),
        str(truncated),
        data["files"][0],
        "--out",
        str(out),
        "--model",
        data["model"],
    ]
    args += ["--samples", SAMPLES, "--scheduler", cluster.scheduler_address, "--no-progress"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert f"{mixed}: frame 1: " in err and "isolated atom" in err
    assert f"{truncated}: frame 1: truncated" in err
    res = load_results(out)
    assert sorted(res.keys()) == sorted(
        [("mixed", 0), ("mixed", 2), ("cut", 0), ("fcc_run", 0), ("fcc_run", 1), ("fcc_run", 2)]
    )
    assert res.files["fcc_run"]["complete"] and not res.files["cut"].get("complete", False)
    assert main(args) == 1  # rerun: only the bad frames are tried again
    assert "0 frames computed, 6 skipped" in capsys.readouterr().out


def test_spm_mode_stores_maps(data, client, tmp_path):
    sample = bicrystal()
    shifted = sample.copy()
    shifted.positions += 0.7
    path = tmp_path / "bicrystal.extxyz"
    write(path, [sample, shifted], format="extxyz")
    out = tmp_path / "maps.h5"
    summary = run_batch(
        [path],
        out,
        mode="spm",
        model=data["model"],
        n_samples=10,
        box_size=12.0,
        stride=4.0,
        client=client,
        progress=False,
    )
    assert summary.computed == 2 and not summary.errors and summary.plot.exists()
    res = load_results(out)
    assert res.mode == "spm" and res.run["stride"] == 4.0
    for rec in res.frames:
        assert rec.class_fractions.sum() == pytest.approx(1.0)
        assert rec.class_fractions[res.class_names.index("fcc")] > 0.2
        assert rec.class_fractions[res.class_names.index("bcc")] > 0.2
        assert np.all(np.diff(rec.mi_quantiles) >= 0)
    m = load_spm_frame(out, "bicrystal", 1)
    assert m.n_boxes == int(np.prod(m.shape)) and m.probabilities.shape == (m.n_boxes, 4)
    assert set(m.class_fractions()) >= {"fcc", "bcc"} and m.params["n_atoms"] == len(sample)


def test_point_cloud_series_and_ase_trajectory(data, client, tmp_path):
    rng = np.random.default_rng(2)
    clouds = []
    for k in range(2):
        atoms = _noisy("fcc", 4, rng)
        clouds.append(tmp_path / f"tomo_{k:03d}.csv")
        write_point_cloud(atoms, clouds[-1])
    traj = tmp_path / "md.traj"
    write(traj, [_noisy("bcc", 3, rng) for _ in range(2)])
    sources = discover([*clouds, traj])
    assert [(s.key, s.reader) for s in sources] == [
        ("tomo_000", "point-cloud"),
        ("tomo_001", "point-cloud"),
        ("md", "frames"),
    ]
    summary = run_batch(
        [*clouds, traj],
        tmp_path / "r.h5",
        model=data["model"],
        n_samples=10,
        client=client,
        progress=False,
        plot=False,
    )
    assert summary.computed == 4 and not summary.errors
    res = load_results(tmp_path / "r.h5")
    assert {(r.file, r.index, r.prediction) for r in res.frames} == {
        ("tomo_000", 0, "fcc"),
        ("tomo_001", 0, "fcc"),
        ("md", 0, "bcc"),
        ("md", 1, "bcc"),
    }


def test_embedded_local_cluster(data, tmp_path, capsys):
    """Default path: an embedded LocalCluster (threads here for speed; the CLI default is processes)."""
    out = tmp_path / "r.h5"
    args = ["batch", data["files"][2], "--out", str(out), "--model", data["model"], "--samples", "5"]
    assert main([*args, "--workers", "1", "--no-processes", "--no-progress", "--no-plot"]) == 0
    assert "3 frames computed" in capsys.readouterr().out
    assert not out.with_suffix(".png").exists()


def test_unreachable_scheduler_fails_fast_with_clear_message(data, tmp_path, capsys):
    out = tmp_path / "r.h5"
    t0 = time.perf_counter()
    rc = main(
        [
            "batch",
            data["files"][0],
            "--out",
            str(out),
            "--model",
            data["model"],
            "--scheduler",
            "tcp://127.0.0.1:9",
        ]
    )
    elapsed = time.perf_counter() - t0
    err = capsys.readouterr().err
    assert rc == 2 and elapsed < 15
    assert "--scheduler tcp://127.0.0.1:9: cannot connect to a Dask scheduler within 5 s" in err
    assert not out.exists()


def test_resume_with_other_parameters_is_refused(data, cluster, tmp_path, capsys):
    out = tmp_path / "r.h5"
    assert _cli(data, cluster, out, "--index", "0") == 0
    capsys.readouterr()
    assert (
        main(["batch", data["files"][0], "--out", str(out), "--model", data["model"], "--samples", "7"]) == 2
    )
    err = capsys.readouterr().err
    assert "other parameters" in err and "n_samples" in err


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--mode", "spm", "--stride", "0"], "SPMParameters.stride: must be a positive length in Å"),
        (["--workers", "0"], "workers: must be an integer ≥ 1"),
        (["--index", "1:x"], "index must be an integer or a slice"),
        (["--samples", "0"], "n_samples: must be an integer ≥ 1"),
    ],
)
def test_bad_parameters(data, tmp_path, capsys, extra, message):
    assert (
        main(["batch", data["files"][0], "--out", str(tmp_path / "r.h5"), "--model", data["model"], *extra])
        == 2
    )
    assert message in capsys.readouterr().err


def test_missing_input_and_foreign_output(data, tmp_path, capsys):
    assert main(["batch", str(tmp_path / "nope.xyz"), "--model", data["model"]]) == 2
    assert "nope.xyz: no such file" in capsys.readouterr().err
    foreign = tmp_path / "foreign.h5"
    with h5py.File(foreign, "w") as f:
        f["x"] = 1
    assert main(["batch", data["files"][0], "--out", str(foreign), "--model", data["model"]]) == 2
    assert "not an arisekit batch file" in capsys.readouterr().err


def test_keys_of_files_with_the_same_name(tmp_path):
    for d in ("run1", "run2"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "dump.lammpstrj").write_text("x\n")
    keys = [s.key for s in discover([tmp_path / "run1/dump.lammpstrj", tmp_path / "run2/dump.lammpstrj"])]
    assert keys == ["run1__dump", "run2__dump"]


@pytest.mark.parametrize(
    "index, numbers", [(":", [0, 1, 2]), ("1:", [1, 2]), ("-1", [2]), ("::-2", [0, 2]), (1, [1])]
)
def test_frame_selection_keeps_absolute_frame_numbers(data, index, numbers):
    (source,) = discover([data["files"][2]])
    from arisekit.batch.inputs import count_frames

    got = [(n, len(a)) for n, a in iter_frames(source, parse_index(index), count_frames(source))]
    sizes = [54, 128, 54]
    assert got == [(n, sizes[n]) for n in numbers]


def test_sigkill_mid_run_loses_nothing(data, cluster, tmp_path, capsys):
    """A real ``kill -9`` of a running batch (threads in one process, so nothing outlives it)."""
    rng = np.random.default_rng(9)
    many = tmp_path / "many.extxyz"
    write(many, [_noisy("fcc", 3, rng) for _ in range(12)], format="extxyz")
    out = tmp_path / "results.h5"
    args = [str(many), "--out", str(out), "--model", data["model"], "--samples", "2000", "--no-plot"]
    code = "import sys; from arisekit.cli import main; sys.exit(main(sys.argv[1:]))"
    cmd = [
        sys.executable,
        "-c",
        code,
        "batch",
        *args,
        "--workers",
        "1",
        "--no-processes",
        "--max-in-flight",
        "1",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    journal = journal_dir(out)
    deadline = time.monotonic() + 90
    while len(list(journal.glob("[!.]*.npz"))) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL
    kept = {int(p.stem.split("@")[1]) for p in journal.glob("[!.]*.npz")}  # not unfinished temporaries
    assert 2 <= len(kept) < 12
    assert main(["batch", *args, "--scheduler", cluster.scheduler_address, "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert f"{12 - len(kept)} frames computed" in printed and f"{len(kept)} recovered" in printed
    assert sorted(load_results(out).keys()) == [("many", i) for i in range(12)]


def test_concurrent_run_on_the_same_output_is_refused(data, tmp_path, capsys):
    import fcntl

    out = tmp_path / "r.h5"
    with open(tmp_path / "r.h5.lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert main(["batch", data["files"][0], "--out", str(out), "--model", data["model"]]) == 2
    assert f"another arisekit process is writing {out}" in capsys.readouterr().err


def test_growing_trajectory_computes_only_new_frames(data, client, tmp_path):
    rng = np.random.default_rng(3)
    path = tmp_path / "growing.extxyz"
    write(path, [_noisy("fcc", 2, rng) for _ in range(2)], format="extxyz")
    out = tmp_path / "r.h5"
    options = dict(model=data["model"], n_samples=5, client=client, progress=False, plot=False)
    assert run_batch([path], out, **options).computed == 2
    assert run_batch([path], out, **options).computed == 0  # complete and unchanged: not even read
    write(path, [_noisy("bcc", 2, rng)], format="extxyz", append=True)
    again = run_batch([path], out, **options)
    assert (again.computed, again.skipped) == (1, 2)
    assert load_results(out).frame("growing", 2).prediction == "bcc"


def test_point_clouds_forced_format_and_pixel_size(data, client, tmp_path):
    atoms = METALS["bcc"]().repeat(4)
    pc = tmp_path / "scan.dat"
    scaled = atoms.copy()
    scaled.positions /= 0.5  # coordinates in units of 0.5 Å
    write_point_cloud(scaled, pc)
    out = tmp_path / "r.h5"
    summary = run_batch(
        [pc],
        out,
        model=data["model"],
        n_samples=5,
        client=client,
        format="point-cloud",
        pixel_size=0.5,
        progress=False,
        plot=False,
    )
    assert summary.computed == 1 and load_results(out).frame("scan", 0).prediction == "bcc"


def test_threads_per_frame_reaches_the_worker_function(data, client, tmp_path, monkeypatch):
    import arisekit.batch.tasks as tasks

    log = tmp_path / "calls.log"
    monkeypatch.setattr(tasks, "classify_frame", _logging(tasks.classify_frame, log))
    summary = run_batch(
        [data["files"][0]],
        tmp_path / "r.h5",
        model=data["model"],
        n_samples=5,
        client=client,
        threads_per_frame=2,
        progress=False,
        plot=False,
    )
    assert summary.computed == 3 and log.read_text().splitlines() == ["n_threads=2"] * 3
