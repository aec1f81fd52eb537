"""Model manifests (issue 14): entries name files inside the model folder only, and a malformed manifest
gets a clear error in every front end (Python, CLI, OVITO modifier), on temporary copies of models/."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ase.build import bulk

import arisekit.model.io as model_io
from arisekit.cli import main
from arisekit.model import ModelIntegrityError, ModelManifestError, default_model_dir, load_model

SHIPPED = default_model_dir()


@pytest.fixture
def model_copy(tmp_path) -> Path:
    """A private copy of the shipped model folder."""
    out = tmp_path / "model"
    shutil.copytree(SHIPPED, out)
    return out


def _edit(directory: Path, change) -> None:
    path = directory / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest))


def _add(name: str):
    return lambda m: m["files"].__setitem__(name, {"sha256": "0" * 64, "bytes": 1})


@pytest.fixture
def hashed(monkeypatch):
    """Every path sha256_file is asked to hash."""
    seen: list[Path] = []
    original = model_io.sha256_file

    def spy(path):
        seen.append(Path(path).resolve())
        return original(path)

    monkeypatch.setattr(model_io, "sha256_file", spy)
    return seen


def _escape_cases(directory: Path, outside: Path) -> list[tuple[str, str]]:
    """(entry name, expected message) of entries that lead out of ``directory``."""
    os.symlink(outside, directory / "link_out")
    os.symlink(outside.parent, directory / "dir_out")
    return [
        ("../../../../etc/passwd", "leads out of the model folder"),
        ("sub/../../secret.txt", "leads out of the model folder"),
        (str(outside), "is an absolute path"),
        ("link_out", "outside the model folder"),
        ("dir_out/secret.txt", "outside the model folder"),
    ]


def test_entries_outside_the_folder_are_refused_before_anything_is_read(model_copy, tmp_path, hashed):
    outside = tmp_path / "secret.txt"
    outside.write_text("not part of the model\n")
    for name, message in _escape_cases(model_copy, outside):
        _edit(model_copy, _add(name))
        with pytest.raises(ModelManifestError, match=message) as info:
            load_model(model_copy)
        assert name in str(info.value) and isinstance(info.value, ValueError)
        assert hashed == [], f"{name}: hashed {hashed}"
        _edit(model_copy, lambda m, name=name: m["files"].pop(name))
    load_model(model_copy)  # the cleaned-up manifest loads again
    root = model_copy.resolve()
    assert hashed and all(root in p.parents for p in hashed)


def test_symlink_inside_the_folder_is_allowed(model_copy):
    os.symlink(model_copy / "metadata.json", model_copy / "alias.json")
    digest = model_io.sha256_file(model_copy / "metadata.json")
    _edit(model_copy, lambda m: m["files"].__setitem__("alias.json", {"sha256": digest, "bytes": 1}))
    assert len(load_model(model_copy).classes_) > 0


MALFORMED = [
    (lambda m: m["files"]["metadata.json"].pop("sha256"), "entry 'metadata.json' has no 'sha256'"),
    (lambda m: m["files"].__setitem__("model.keras", "abc"), "entry 'model.keras' must be an object"),
    (lambda m: m["files"]["model.keras"].__setitem__("sha256", 12), "'sha256' must be 64 hexadecimal"),
    (lambda m: m["files"]["model.keras"].__setitem__("sha256", "abc"), "'sha256' must be 64 hexadecimal"),
    (lambda m: m["files"]["model.keras"].__setitem__("bytes", -1), "'bytes' must be a non-negative"),
    (lambda m: m["files"]["model.keras"].__setitem__("bytes", "1"), "'bytes' must be a non-negative"),
    (lambda m: m.__setitem__("files", ["model.keras"]), "'files' must be an object"),
    (lambda m: m.pop("files"), "'files' must be an object of file entries, got nothing"),
    (lambda m: m["files"].pop("model.keras"), "does not list model.keras"),
]
IDS = ["no-sha256", "entry-str", "sha-int", "sha-short", "bytes-neg", "bytes-str", "files-list", "no-files",
       "unlisted"]  # fmt: skip


def _break(directory: Path, case) -> None:
    if case == "not-json":
        (directory / "manifest.json").write_text("{not json")
    elif case == "json-list":
        (directory / "manifest.json").write_text("[1, 2]")
    else:
        _edit(directory, case)


ALL = [*MALFORMED, ("not-json", "not valid JSON"), ("json-list", "must be a JSON object, got list")]
ALL_IDS = [*IDS, "not-json", "json-list"]


@pytest.mark.parametrize("case, message", ALL, ids=ALL_IDS)
def test_malformed_manifest_python(model_copy, case, message, hashed):
    _break(model_copy, case)
    with pytest.raises(ModelManifestError, match=message):
        load_model(model_copy)
    assert hashed == []
    assert issubclass(ModelManifestError, ModelIntegrityError) and issubclass(ModelManifestError, ValueError)


@pytest.mark.parametrize("command", ["classify", "spm"])
def test_malformed_manifest_cli(model_copy, tmp_path, capsys, command):
    structure = tmp_path / "cu.extxyz"
    bulk("Cu", "fcc", a=3.6, cubic=True).repeat(5).write(structure)
    maps = tmp_path / "maps.h5"
    extra = ["--out", str(maps), "--box-size", "8", "--stride", "4"] if command == "spm" else []
    for case, message in ALL:
        shutil.copy(SHIPPED / "manifest.json", model_copy / "manifest.json")
        _break(model_copy, case)
        assert main([command, str(structure), "--model", str(model_copy), *extra]) == 2
        err = capsys.readouterr().err.strip().splitlines()[-1]  # after spm's progress bar
        assert err.startswith(f"arisekit {command}: error: {model_copy / 'manifest.json'}: "), err
        assert message.split("'")[0] in err and "Traceback" not in err
    assert not maps.exists()


CLI = "import sys; from arisekit.cli import main; sys.exit(main())"


def test_escaping_manifest_cli_process(model_copy, tmp_path):
    """The real command: clean message, exit status 2, no traceback, nothing outside read."""
    _edit(model_copy, _add("../../../../etc/passwd"))
    structure = tmp_path / "cu.extxyz"
    bulk("Cu", "fcc", a=3.6, cubic=True).repeat(3).write(structure)
    run = subprocess.run(
        [sys.executable, "-c", CLI, "classify", str(structure), "--model", str(model_copy)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 2
    assert "leads out of the model folder" in run.stderr and "Traceback" not in run.stderr
    assert "fails its checksum" not in run.stderr


def test_malformed_metadata_is_a_clear_error(model_copy):
    meta = json.loads((model_copy / "metadata.json").read_text())
    meta.pop("n_features")
    (model_copy / "metadata.json").write_text(json.dumps(meta))
    digest = model_io.sha256_file(model_copy / "metadata.json")
    _edit(model_copy, lambda m: m["files"]["metadata.json"].__setitem__("sha256", digest))
    with pytest.raises(ModelIntegrityError, match="'n_features' must be a positive integer"):
        load_model(model_copy)


def test_benchmark_fingerprint_reads_the_checked_manifest(model_copy):
    from arisekit.benchmark.runner import model_fingerprint

    clf = load_model(model_copy)
    assert model_fingerprint(clf)["sha256_model_keras"] == clf.checksum_
    _edit(model_copy, _add("/etc/passwd"))
    with pytest.raises(ModelManifestError, match="absolute path"):
        model_fingerprint(clf)


@pytest.mark.parametrize("case, message", [ALL[0], ALL[-2], ("escape", "leads out of the model folder")])
def test_malformed_manifest_ovito(model_copy, case, message):
    from ovito.io.ase import ase_to_ovito

    from arisekit.ovito import ARISEModifier

    if case == "escape":
        _edit(model_copy, _add("../../../../etc/passwd"))
    else:
        _break(model_copy, case)
    data = ase_to_ovito(bulk("Cu", "fcc", a=3.6, cubic=True).repeat(3))
    with pytest.raises(ModelManifestError, match=message):
        data.apply(ARISEModifier(model_path=str(model_copy), mode="global", n_samples=10))
