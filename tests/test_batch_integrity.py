"""``arisekit batch`` results that cannot be lost or lie (issue 14): input fingerprints, checksums,
damaged files, ``--verify``, failed frames, same-stem inputs, scheduler endpoints, lost workers, kill -9."""

from __future__ import annotations

import http.server
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from ase.io import write
from conftest import METALS

from arisekit.batch import journal_dir, load_results
from arisekit.batch.inputs import discover
from arisekit.batch.results import verify_results
from arisekit.batch.scheduler import connect_scheduler
from arisekit.batch.store import _load_entry
from arisekit.cli import main

CLI = "import sys; from arisekit.cli import main; sys.exit(main(sys.argv[1:]))"


def _noisy(kind: str, rep, rng, sigma: float = 0.03):
    atoms = METALS[kind]().repeat(rep)
    atoms.positions += rng.normal(0.0, sigma, atoms.positions.shape)
    return atoms


@pytest.fixture(scope="module")
def model(tmp_path_factory, metal_model):
    return str(metal_model.save(tmp_path_factory.mktemp("model") / "metal"))


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as c:
        yield c


@pytest.fixture()
def inputs(tmp_path):
    rng = np.random.default_rng(4)
    a, b = tmp_path / "a.extxyz", tmp_path / "b.extxyz"
    write(a, [_noisy("fcc", r, rng) for r in (2, 3, 2)], format="extxyz")
    write(b, [_noisy("bcc", r, rng) for r in (3, 2, 3)], format="extxyz")
    return [a, b]


def _cli(model, cluster, out, files, *extra):
    args = ["batch", *map(str, files), "--out", str(out), "--model", model, "--samples", "10"]
    return main([*args, "--scheduler", cluster.scheduler_address, "--no-progress", "--no-plot", *extra])


def _xor(path: Path, start: int, n: int = 4096) -> None:
    data = bytearray(path.read_bytes())
    for i in range(max(start, 0), min(start + n, len(data))):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def _overwrite_tail(path: Path, n: int = 2048) -> None:
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        fh.seek(max(size - n, 0))
        fh.write(np.random.default_rng(0).bytes(min(n, size)))


# ------------------------------------------------------------------------------------ changed inputs
def test_changed_input_is_recomputed_and_said_so(model, cluster, inputs, tmp_path, capsys):
    out = tmp_path / "r.h5"
    assert _cli(model, cluster, out, inputs) == 0
    capsys.readouterr()
    rng = np.random.default_rng(8)
    write(inputs[0], [_noisy("bcc", r, rng) for r in (3, 3, 3)], format="extxyz")  # fcc 32/108 -> bcc 54
    assert _cli(model, cluster, out, inputs) == 0
    printed = capsys.readouterr().out
    assert (
        "3 frames computed, 3 skipped (already done)" in printed and "3 recomputed (input changed)" in printed
    )
    res = load_results(out)
    assert [res.frame("a", i).prediction for i in range(3)] == ["bcc"] * 3
    assert [res.frame("a", i).n_atoms for i in range(3)] == [54] * 3

    # same size and modification time, other positions: still noticed (change time, then fingerprints)
    text = inputs[1].read_text()
    st = inputs[1].stat()
    inputs[1].write_text(text.replace("Fe ", "Cu ", 1))
    os.utime(inputs[1], ns=(st.st_atime_ns, st.st_mtime_ns))
    assert inputs[1].stat().st_size == st.st_size
    assert _cli(model, cluster, out, inputs) == 0
    assert "1 frames computed, 5 skipped (already done), 0 failed, 0 error(s), 1 recomputed" in (
        capsys.readouterr().out
    )


def test_shorter_rewritten_trajectory_drops_frames_it_no_longer_has(model, cluster, inputs, tmp_path):
    out = tmp_path / "r.h5"
    assert _cli(model, cluster, out, inputs[:1]) == 0
    rng = np.random.default_rng(2)
    write(inputs[0], [_noisy("fcc", 2, rng)], format="extxyz")
    assert _cli(model, cluster, out, inputs[:1]) == 0
    assert load_results(out).keys() == [("a", 0)]


# ----------------------------------------------------------------------------------- damaged results
@pytest.mark.parametrize("damage", ["xor-middle", "xor-third", "tail"])
def test_damaged_results_are_detected_verified_and_recomputed(
    model, cluster, inputs, tmp_path, capsys, damage
):
    out = tmp_path / "r.h5"
    assert _cli(model, cluster, out, inputs) == 0
    good = load_results(out)
    size = out.stat().st_size
    if damage == "tail":
        _overwrite_tail(out)
    else:
        _xor(out, size // 2 - 2048 if damage == "xor-middle" else size // 3)
    capsys.readouterr()

    assert main(["batch", "--verify", str(out)]) == 1
    captured = capsys.readouterr()
    assert "damaged" in captured.err and "Traceback" not in captured.err + captured.out
    with pytest.raises(ValueError, match="damaged batch results file"):
        load_results(out)

    assert _cli(model, cluster, out, inputs) == 0
    captured = capsys.readouterr()
    assert "warning" in captured.err and "damaged" in captured.err
    again = load_results(out)
    assert again.keys() == good.keys()
    for rec in good.frames:  # recomputed with the same seed: the same answers
        assert again.frame(rec.file, rec.index).prediction == rec.prediction
    assert main(["batch", "--verify", str(out)]) == 0
    assert "all checksums match" in capsys.readouterr().out


def test_unopenable_results_file_is_moved_aside_and_rebuilt_from_the_journal(
    model, cluster, inputs, tmp_path, capsys, monkeypatch
):
    from arisekit.batch.store import ResultStore

    out = tmp_path / "r.h5"
    assert _cli(model, cluster, out, inputs[:1]) == 0  # a, complete
    original = ResultStore.merge
    monkeypatch.setattr(ResultStore, "merge", lambda self, create=False: 0)  # as after kill -9: journal only
    assert _cli(model, cluster, out, inputs) == 0
    monkeypatch.setattr(ResultStore, "merge", original)
    assert len(list(journal_dir(out).glob("[!.]*.npz"))) == 3  # b's frames
    _xor(out, 100, 1000)  # past the signature: the file cannot be opened at all
    capsys.readouterr()
    assert _cli(model, cluster, out, inputs) == 0
    captured = capsys.readouterr()
    assert f"moved to {out}.damaged" in captured.err
    assert "3 frames computed" in captured.out and "3 recovered" in captured.out
    assert len(load_results(out)) == 6 and (tmp_path / "r.h5.damaged").exists()


def test_verify_of_a_good_file_and_of_no_file(model, cluster, inputs, tmp_path, capsys):
    out = tmp_path / "r.h5"
    assert _cli(model, cluster, out, inputs) == 0
    report = verify_results(out)
    assert report.ok and report.n_good == 6
    assert main(["batch", "--verify", str(tmp_path / "none.h5")]) == 2
    assert "not found" in capsys.readouterr().err
    assert main(["batch", "--verify", str(out), str(inputs[0])]) == 2


# ------------------------------------------------------------------------------------- failed frames
def test_bad_middle_frame_is_recorded_as_failed_and_the_others_go_on(model, cluster, tmp_path, capsys):
    rng = np.random.default_rng(6)
    frames = [_noisy("fcc", 2, rng) for _ in range(3)]
    bad = tmp_path / "nan.extxyz"
    write(bad, frames, format="extxyz")
    lines = bad.read_text().splitlines()
    lines[2 + 32 + 2 + 5] = "Cu nan nan nan"  # frame 1, atom 6
    bad.write_text("\n".join(lines) + "\n")
    few = tmp_path / "few.extxyz"
    tiny = METALS["fcc"]()[:1]  # one atom, no periodic axis: no d_NN
    tiny.pbc, tiny.cell = False, np.zeros((3, 3))
    write(few, [frames[0], tiny, frames[2]], format="extxyz")
    out = tmp_path / "r.h5"
    assert _cli(model, cluster, out, [bad, few]) == 1
    err = capsys.readouterr().err
    assert f"{bad}: line" in err and "frame 1:" in err and "non-finite" in err
    assert f"{few}: frame 1: " in err
    res = load_results(out)
    assert res.keys() == [("few", 0), ("few", 2), ("nan", 0), ("nan", 2)]
    assert set(res.failed) == {("nan", 1), ("few", 1)}
    assert "non-finite" in res.failed[("nan", 1)]

    bad.write_text(bad.read_text().replace("Cu nan nan nan", "Cu 1.0 1.0 1.0"))  # fixed: frame 1 done
    assert _cli(model, cluster, out, [bad]) == 0
    res = load_results(out)
    assert ("nan", 1) in res.keys() and ("nan", 1) not in res.failed


def test_classify_reports_the_bad_frame_and_classifies_the_others(model, tmp_path, capsys):
    rng = np.random.default_rng(6)
    path = tmp_path / "nan.extxyz"
    write(path, [_noisy("fcc", 2, rng) for _ in range(3)], format="extxyz")
    lines = path.read_text().splitlines()
    lines[2 + 32 + 2 + 5] = "Cu nan nan nan"
    path.write_text("\n".join(lines) + "\n")
    rc = main(["classify", str(path), "--index", ":", "--model", model, "--samples", "10", "--top", "1"])
    captured = capsys.readouterr()
    assert rc == 1
    assert f"{path}[0]: fcc" in captured.out and f"{path}[2]: fcc" in captured.out
    assert "frame 1:" in captured.err and "non-finite" in captured.err and f"{path}[1]" not in captured.out


def test_inputs_sharing_a_stem_get_distinct_names(model, cluster, tmp_path):
    rng = np.random.default_rng(1)
    xyz, ext = tmp_path / "f0.xyz", tmp_path / "f0.extxyz"
    write(xyz, _noisy("fcc", 2, rng), format="extxyz")
    write(ext, _noisy("bcc", 2, rng), format="extxyz")
    assert [s.key for s in discover([xyz, ext])] == ["f0.xyz", "f0.extxyz"]
    out = tmp_path / "r.h5"
    assert _cli(model, cluster, out, [xyz, ext]) == 0
    res = load_results(out)
    assert res.frame("f0.xyz", 0).prediction == "fcc" and res.frame("f0.extxyz", 0).prediction == "bcc"


# ---------------------------------------------------------------------------------------- schedulers
@pytest.fixture()
def http_port():
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_http_port_as_scheduler_times_out_as_asked(http_port):
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match="no Dask scheduler answered within 2 s"):
        connect_scheduler(f"tcp://127.0.0.1:{http_port}", 2.0)
    assert time.perf_counter() - t0 < 4
    with pytest.raises(ValueError, match="'http' is not a Dask protocol"):
        connect_scheduler(f"http://127.0.0.1:{http_port}", 2.0)


@pytest.mark.parametrize("address", ["http-port", "not-an-address", "closed-port"])
def test_bad_scheduler_gives_one_clean_message(model, tmp_path, http_port, address):
    """A real process: one error line, no hang and no traceback at exit (``Client.__del__``)."""
    if address == "http-port":
        address = f"tcp://127.0.0.1:{http_port}"
    elif address == "closed-port":
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            address = f"tcp://127.0.0.1:{s.getsockname()[1]}"
    src = tmp_path / "a.xyz"
    write(src, METALS["fcc"]().repeat(2))
    out = tmp_path / "r.h5"
    args = ["batch", str(src), "--out", str(out), "--model", model, "--scheduler", address, "--timeout", "2"]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    proc = subprocess.run(
        [sys.executable, "-c", CLI, *args], capture_output=True, text=True, timeout=120, env=env
    )
    assert proc.returncode == 2
    errors = [line for line in proc.stderr.splitlines() if "arisekit batch: error:" in line]
    assert len(errors) == 1 and f"--scheduler {address}: " in errors[0], proc.stderr
    assert "Traceback" not in proc.stderr and "__del__" not in proc.stderr
    assert not out.exists()


_KILL_WORKER = textwrap.dedent(
    """
    import os, signal, sys, threading, time
    from pathlib import Path
    from distributed import Client, LocalCluster
    from arisekit.batch import journal_dir, run_batch

    src, out, model = sys.argv[1:4]
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            def killer():
                while not list(journal_dir(out).glob("[!.]*.npz")):
                    time.sleep(0.01)
                for pid in client.run(os.getpid).values():
                    os.kill(pid, signal.SIGKILL)
            threading.Thread(target=killer, daemon=True).start()
            s = run_batch([src], out, model=model, n_samples=3000, client=client, max_in_flight=2,
                          progress=False, plot=False)
            print("RESULT", s.computed, s.failed, s.retried, s.errors)
    """
)


def test_lost_worker_frames_are_retried(model, tmp_path):
    rng = np.random.default_rng(3)
    src = tmp_path / "many.extxyz"
    write(src, [_noisy("fcc", 3, rng) for _ in range(8)], format="extxyz")
    out = tmp_path / "r.h5"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    proc = subprocess.run(
        [sys.executable, "-c", _KILL_WORKER, str(src), str(out), model],
        capture_output=True, text=True, timeout=400, env=env,
    )  # fmt: skip
    line = [x for x in proc.stdout.splitlines() if x.startswith("RESULT")]
    assert line, proc.stderr[-3000:]
    computed, failed, retried = (int(v) for v in line[0].split()[1:4])
    assert (computed, failed) == (8, 0) and retried >= 1, line[0]
    assert len(load_results(out)) == 8


# ------------------------------------------------------------------------------------ kill -9 at random
_BATCH = textwrap.dedent(
    """
    import sys
    from arisekit.batch import run_batch

    out, model, *files = sys.argv[1:]
    print("go", flush=True)
    run_batch(files, out, model=model, n_samples=2000, workers=1, processes=False, max_in_flight=1,
              progress=False, plot=False)
    """
)


def _check_state(out: Path) -> set[tuple[str, int]]:
    """Everything on disk is readable: the results file verifies, every journal frame loads."""
    kept = set()
    if out.exists():
        report = verify_results(out)
        assert report.ok, (report.problem, report.damaged)
        kept |= set(load_results(out).keys())
    for entry in journal_dir(out).glob("[!.]*.npz") if journal_dir(out).is_dir() else []:
        loaded = _load_entry(entry)
        assert loaded is not None, entry
        kept.add(loaded[:2])
    return kept


def _wait_for_first_frame(proc: subprocess.Popen, out: Path) -> float:
    t0 = time.monotonic()
    while proc.poll() is None and not list(journal_dir(out).glob("[!.]*.npz")):
        time.sleep(0.005)
    return time.monotonic() - t0


def _kill_rounds(model: str, tmp_path: Path, seeds, cluster) -> None:
    """One results file, a new input per round, each run killed at a random moment: mostly while frames
    are written and merged (after its first journal entry), else anywhere (e.g. in the merge of the last
    run's journal). The first round, uninterrupted, times a run. What was finished is never lost, and a
    last run completes it."""
    rng = np.random.default_rng(0)
    out = tmp_path / "r.h5"
    files: list[str] = []
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    kept: set[tuple[str, int]] = set()
    startup = writing = 0.0
    for seed in [None, *seeds]:
        path = tmp_path / f"in{len(files):02d}.extxyz"
        write(path, [_noisy("fcc", 2, rng) for _ in range(6)], format="extxyz")
        files.append(str(path))
        proc = subprocess.Popen(
            [sys.executable, "-c", _BATCH, str(out), model, *files],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
        )  # fmt: skip
        assert proc.stdout.readline().strip() == b"go"
        if seed is None:
            startup = _wait_for_first_frame(proc, out)
            t0 = time.monotonic()
            assert proc.wait(timeout=300) == 0
            writing = time.monotonic() - t0
        else:
            r = random.Random(seed)
            if r.random() < 0.7:
                _wait_for_first_frame(proc, out)
                time.sleep(r.uniform(0.0, 1.2 * writing))
            else:
                time.sleep(r.uniform(0.0, startup + writing))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        proc.stdout.close()
        now = _check_state(out)
        assert kept <= now, kept - now  # nothing finished is ever lost
        kept = now
    assert _cli(model, cluster, out, files, "--samples", "2000") == 0
    res = load_results(out)
    assert sorted(res.keys()) == sorted((Path(f).stem, i) for f in files for i in range(6))
    assert verify_results(out).ok and not journal_dir(out).exists()
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_sigkill_at_random_points_of_batch_runs(model, cluster, tmp_path):
    _kill_rounds(model, tmp_path, range(3), cluster)


@pytest.mark.slow
def test_sigkill_at_random_points_of_batch_runs_many_seeds(model, cluster, tmp_path):
    _kill_rounds(model, tmp_path, range(3, 23), cluster)
