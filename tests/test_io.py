"""Readers: multi-frame ase.io files, tomography point clouds, STEM positions; malformed-file errors."""

import re

import ase.io
import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk

from arisekit.io import read_frames, read_point_cloud, read_stem_positions, write_point_cloud


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def _error(path, line):
    return re.escape(f"{path}: line {line}:")


# --------------------------------------------------------------------------- point clouds


@pytest.mark.parametrize("suffix", [".txt", ".csv"])
def test_point_cloud_round_trip(tmp_path, suffix):
    rng = np.random.default_rng(0)
    atoms = Atoms(["Fe", "Pt", "Pt", "Fe", "X"], positions=rng.normal(scale=20.0, size=(5, 3)))
    path = tmp_path / f"cloud{suffix}"
    write_point_cloud(atoms, path)
    back = read_point_cloud(path)
    assert back.get_chemical_symbols() == atoms.get_chemical_symbols()
    np.testing.assert_array_equal(back.positions, atoms.positions)  # shortest repr reads back exactly
    assert not back.pbc.any()
    np.testing.assert_array_equal(back.cell.array, np.zeros((3, 3)))
    assert ("," in path.read_text()) == (suffix == ".csv")


def test_point_cloud_formats_header_comments_and_pixel_size(tmp_path):
    plain = _write(tmp_path, "a.txt", "# AET reconstruction\n\nfe 1 2 3\n78\t4.5  5 6   # Pt by number\n")
    atoms = read_point_cloud(plain)
    assert atoms.get_chemical_symbols() == ["Fe", "Pt"]
    np.testing.assert_array_equal(atoms.positions, [[1, 2, 3], [4.5, 5, 6]])
    csv = _write(tmp_path, "b.csv", "x (A),y (A),z (A),Element\n1,2,3,Fe\n4,5,6,Pt\n")
    atoms = read_point_cloud(csv, pixel_size=0.5)
    assert atoms.get_chemical_symbols() == ["Fe", "Pt"]
    np.testing.assert_array_equal(atoms.positions, [[0.5, 1, 1.5], [2, 2.5, 3]])
    extra = _write(tmp_path, "c.txt", "id type x y z intensity\n1 Au 0 0 0 9\n2 Au 1 1 1 8\n")
    assert read_point_cloud(extra).get_chemical_formula() == "Au2"


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("Fe 0 0 0\nFe 1 1\n", 2, "expected 4 columns, got 3"),
        ("Fe 0 0 0\n# ok\nFe 1 1 1 1\n", 3, "expected 4 columns, got 5"),
        ("Fe 0 0 0\nFe 1 abc 1\n", 2, "'abc' is not a number"),
        ("Fe 0 0 0\nQq 1 1 1\n", 2, "unknown element 'Qq'"),
        ("Fe 0 0 0\n200 1 1 1\n", 2, "unknown element '200'"),
        ("Fe 0 0 0\n\nFe 1 nan 1\n", 3, "non-finite value 'nan'"),
        ("Fe 0 0 0\nFe 1 1 inf\n", 2, "non-finite value 'inf'"),
        ("species,x,y,z\nFe,0,0,0\nFe,1,,1\n", 3, "'' is not a number"),
        ("element x y\nFe 0 0\n", 1, "header must name the columns species, x, y, z"),
    ],
)
def test_point_cloud_malformed_lines(tmp_path, text, line, message):
    path = _write(tmp_path, "bad.txt", text)
    with pytest.raises(ValueError, match=_error(path, line) + ".*" + re.escape(message)):
        read_point_cloud(path)


@pytest.mark.parametrize("text", ["", "# only a comment\n\n", "species x y z\n"])
def test_point_cloud_empty(tmp_path, text):
    path = _write(tmp_path, "empty.txt", text)
    with pytest.raises(ValueError, match=re.escape(str(path))):
        read_point_cloud(path)


def test_point_cloud_bad_arguments(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.txt"):
        read_point_cloud(tmp_path / "missing.txt")
    with pytest.raises(ValueError, match="directory"):
        read_point_cloud(tmp_path)
    path = _write(tmp_path, "ok.txt", "Fe 0 0 0\n")
    for bad in (0.0, -1.0, np.nan):
        with pytest.raises(ValueError, match="pixel_size"):
            read_point_cloud(path, pixel_size=bad)
    (tmp_path / "bin.txt").write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(ValueError, match="UTF-8"):
        read_point_cloud(tmp_path / "bin.txt")
    with pytest.raises(ValueError, match="no atoms"):
        write_point_cloud(Atoms(), tmp_path / "out.txt")
    with pytest.raises(ValueError, match="NaN"):
        write_point_cloud(Atoms("H", positions=[[np.nan, 0, 0]]), tmp_path / "out.txt")


# --------------------------------------------------------------------------- STEM positions


def test_stem_positions(tmp_path):
    path = _write(tmp_path, "stem.csv", "# AtomNet output (pixels)\n10,20\n30.5,40\n")
    atoms = read_stem_positions(path, pixel_size=0.1176, species="C")
    assert atoms.get_chemical_symbols() == ["C", "C"]
    np.testing.assert_allclose(atoms.positions, [[1.176, 2.352, 0], [3.5868, 4.704, 0]])
    assert not atoms.pbc.any()
    assert read_stem_positions(path, pixel_size=1.0).get_chemical_symbols() == ["X", "X"]
    by_column = _write(tmp_path, "s.txt", "5 6 Mo\n7 8 S\n")
    atoms = read_stem_positions(by_column, pixel_size=2.0, species=2)
    assert atoms.get_chemical_symbols() == ["Mo", "S"]
    np.testing.assert_array_equal(atoms.positions, [[10, 12, 0], [14, 16, 0]])
    header = _write(tmp_path, "h.txt", "element x y\nMo 5 6\nS 7 8\n")
    assert read_stem_positions(header, pixel_size=1.0).get_chemical_symbols() == ["Mo", "S"]


@pytest.mark.parametrize(
    "text, species, line, message",
    [
        ("1 2\n3 4 5\n", "C", 2, "expected 2 columns, got 3"),
        ("1 2\n3 x\n", "C", 2, "'x' is not a number"),
        ("1 2\nnan 4\n", "C", 2, "non-finite"),
        ("C 1 2\nZz 3 4\n", 0, 2, "unknown element 'Zz'"),
        ("C 1 2\n3 4\n", 0, 2, "expected 3 columns, got 2"),
    ],
)
def test_stem_malformed_lines(tmp_path, text, species, line, message):
    path = _write(tmp_path, "bad.txt", text)
    with pytest.raises(ValueError, match=_error(path, line) + ".*" + re.escape(message)):
        read_stem_positions(path, pixel_size=1.0, species=species)


def test_stem_bad_arguments(tmp_path):
    path = _write(tmp_path, "ok.txt", "1 2\n")
    with pytest.raises(ValueError, match="pixel_size"):
        read_stem_positions(path, pixel_size=None)
    with pytest.raises(ValueError, match="species"):
        read_stem_positions(path, pixel_size=1.0, species="Qq")
    with pytest.raises(ValueError, match="species"):
        read_stem_positions(path, pixel_size=1.0, species=5)
    with pytest.raises(ValueError, match="empty"):
        read_stem_positions(_write(tmp_path, "e.txt", ""), pixel_size=1.0)


# --------------------------------------------------------------------------- frames


def _frames():
    out = []
    for k in range(4):
        atoms = bulk("Cu", "fcc", a=3.6 + 0.01 * k, cubic=True).repeat((2, 1, 1))
        atoms.rattle(0.01, seed=k)
        atoms.arrays["grain_id"] = np.arange(len(atoms)) % 2
        atoms.info["step"] = k
        out.append(atoms)
    return out


def test_extxyz_multi_frame_round_trip(tmp_path):
    frames = _frames()
    path = tmp_path / "traj.xyz"
    ase.io.write(path, frames, format="extxyz")
    it = read_frames(path)
    assert iter(it) is it  # lazy iterator
    back = list(it)
    assert len(back) == 4
    for a, b in zip(frames, back, strict=True):
        np.testing.assert_allclose(b.positions, a.positions, atol=1e-7)
        np.testing.assert_array_equal(b.arrays["grain_id"], a.arrays["grain_id"])
        np.testing.assert_allclose(b.cell.array, a.cell.array, atol=1e-7)
    assert [a.info["step"] for a in read_frames(path, index="1::2")] == [1, 3]
    assert [a.info["step"] for a in read_frames(path, index=2)] == [2]
    assert [a.info["step"] for a in read_frames(path, index="-1")] == [3]
    assert [a.info["step"] for a in read_frames(path, index=slice(None, None, -2))] == [3, 1]
    with pytest.raises(ValueError, match="frame 7 requested but the file has 4 frames"):
        list(read_frames(path, index=7))
    with pytest.raises(ValueError, match="index"):
        read_frames(path, index="a:b")


def _dump(frames, element=True, cut=0):
    text = []
    for step, atoms in enumerate(frames):
        cols = "id element x y z" if element else "id type x y z"
        text += [
            "ITEM: TIMESTEP",
            str(step),
            "ITEM: NUMBER OF ATOMS",
            str(len(atoms)),
            "ITEM: BOX BOUNDS pp pp pp",
        ]
        text += [f"0.0 {float(atoms.cell[k, k])!r}" for k in range(3)]
        text.append(f"ITEM: ATOMS {cols}")
        for i, (s, p) in enumerate(zip(atoms.get_chemical_symbols(), atoms.positions, strict=True)):
            kind = s if element else "1"
            x, y, z = p.tolist()
            text.append(f"{i + 1} {kind} {x!r} {y!r} {z!r}")
    if cut:
        text = text[:-cut]
    return "\n".join(text) + "\n"


def test_lammps_dump_multi_frame(tmp_path):
    frames = _frames()
    path = _write(tmp_path, "run.lammpstrj", _dump(frames))
    back = list(read_frames(path))
    assert len(back) == 4
    for a, b in zip(frames, back, strict=True):
        assert b.get_chemical_symbols() == a.get_chemical_symbols()
        np.testing.assert_allclose(b.positions, a.positions, atol=1e-12)
    typed = _write(tmp_path, "typed.dump", _dump(frames[:2], element=False))
    assert len(list(read_frames(typed, format="lammps-dump-text"))) == 2


def test_truncated_dump_yields_complete_frames_first(tmp_path):
    path = _write(tmp_path, "cut.lammpstrj", _dump(_frames(), cut=2))
    it = read_frames(path)
    got = [next(it) for _ in range(3)]
    assert len(got) == 3
    with pytest.raises(ValueError, match=re.escape(f"{path}: frame 3: truncated")):
        next(it)


def _replace_line(text, number, new):
    lines = text.split("\n")
    lines[number - 1] = new
    return "\n".join(lines)


@pytest.mark.parametrize(
    "line, new, message",
    [
        (12, "2 Cu 0.1 0.2", "expected 5 columns, got 4"),
        (12, "2 Cu 0.1 abc 0.3", "'abc' is not a number"),
        (12, "2 Cu 0.1 nan 0.3", "non-finite value 'nan'"),
        (12, "2 Qq 0.1 0.2 0.3", "unknown element 'Qq'"),
        (4, "many", "number of atoms 'many' is not an integer"),
        (18, "TIMESTEP 1", "expected 'ITEM: TIMESTEP'"),
    ],
)
def test_dump_malformed_lines(tmp_path, line, new, message):
    text = _replace_line(_dump(_frames()[:2]), line, new)
    path = _write(tmp_path, "bad.lammpstrj", text)
    frame = 1 if line >= 18 else 0
    with pytest.raises(ValueError, match=_error(path, line) + f" frame {frame}: .*" + re.escape(message)):
        list(read_frames(path, format="lammps-dump-text"))


@pytest.mark.parametrize(
    "line, new, message",
    [
        (7, "Cu 0.0 0.1", "4 columns, got 3"),
        (7, "Cu 0.0 x 0.1", "'x' is not a number"),
        (7, "Cu 0.0 nan 0.1", "non-finite value 'nan'"),
        (7, "Qq 0.0 0.1 0.2", "unknown element 'Qq'"),
        (1, "two", "expected the number of atoms"),
    ],
)
def test_xyz_malformed_lines(tmp_path, line, new, message):
    text = "2\nfirst\nCu 0 0 0\nCu 1 1 1\n2\nsecond\nCu 0 0 0\nCu 1 1 1\n"
    path = _write(tmp_path, "bad.xyz", _replace_line(text, line, new))
    frame = 1 if line >= 5 else 0
    with pytest.raises(ValueError, match=_error(path, line) + f" frame {frame}: .*" + re.escape(message)):
        list(read_frames(path))


def test_extxyz_properties_define_columns(tmp_path):
    frames = _frames()[:1]
    path = tmp_path / "one.xyz"
    ase.io.write(path, frames, format="extxyz")
    lines = path.read_text().split("\n")
    lines[2] = " ".join(lines[2].split()[:-1])  # drop the grain_id column of the first atom
    path.write_text("\n".join(lines))
    with pytest.raises(ValueError, match=_error(path, 3) + ".*expected 5 columns, got 4"):
        list(read_frames(path))


def test_truncated_and_empty_xyz(tmp_path):
    path = _write(tmp_path, "cut.xyz", "3\ncomment\nCu 0 0 0\nCu 1 1 1\n")
    with pytest.raises(ValueError, match=re.escape(f"{path}: frame 0: truncated: expected 3 atom rows")):
        list(read_frames(path))
    with pytest.raises(ValueError, match="empty"):
        read_frames(_write(tmp_path, "e.xyz", ""))
    with pytest.raises(ValueError, match="no frames"):
        list(read_frames(_write(tmp_path, "blank.xyz", "\n\n"), format="extxyz"))
    with pytest.raises(FileNotFoundError):
        read_frames(tmp_path / "nope.xyz")


def test_other_ase_formats_and_their_errors(tmp_path):
    atoms = bulk("Fe", "bcc", a=2.87, cubic=True)
    path = tmp_path / "POSCAR"
    ase.io.write(path, atoms, format="vasp")
    (back,) = list(read_frames(path, format="vasp"))
    np.testing.assert_allclose(back.positions, atoms.positions, atol=1e-8)
    broken = _write(tmp_path, "broken.vasp", "Fe\n1.0\n2.87 0 0\n0 2.87 0\n")
    with pytest.raises(ValueError, match=re.escape(f"{broken}: frame 0:")):
        list(read_frames(broken, format="vasp"))
    with pytest.raises(ValueError, match="format"):
        read_frames(_write(tmp_path, "mystery.unknownext", "hello world\n"))
