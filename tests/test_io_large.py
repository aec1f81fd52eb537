"""read_large: one frame of a large LAMMPS dump / extended XYZ file read into arrays, equal to read_frames."""

import numpy as np
import pytest
from ase.build import bulk
from ase.io import write

from arisekit.io import large, read_frames
from arisekit.io.large import read_large


def _frames():
    out = []
    for k, (name, a) in enumerate((("Cu", 3.61), ("Fe", 2.87))):
        atoms = bulk(name, "fcc" if name == "Cu" else "bcc", a=a, cubic=True).repeat((4, 3, 5))
        atoms.positions += np.random.default_rng(k).normal(0, 0.05, atoms.positions.shape)
        atoms.pbc = True
        out.append(atoms)
    tri = bulk("Mg", "hcp", a=3.21, c=5.21).repeat((4, 4, 3))  # triclinic
    tri.positions += np.random.default_rng(5).normal(0, 0.05, tri.positions.shape)
    out.append(tri)
    return out


def _same(path, fmt, monkeypatch, index):
    monkeypatch.setattr(large, "BLOCK_BYTES", 997)  # many blocks, lines cut across block ends
    ref = list(read_frames(path, index=str(index), format=fmt))[-1]
    s = read_large(path, index=index)
    np.testing.assert_allclose(s.positions, ref.positions, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(s.numbers, ref.numbers)
    np.testing.assert_allclose(s.cell, np.asarray(ref.cell), atol=1e-9)
    assert tuple(s.pbc) == tuple(ref.pbc)
    assert s.positions.dtype == np.float64 and s.positions.flags.c_contiguous


@pytest.mark.parametrize("index", [0, 1, -1, 2])
def test_extxyz_matches_read_frames(tmp_path, monkeypatch, index):
    path = tmp_path / "frames.extxyz"
    frames = _frames()
    frames[1].numbers[::3] = 29  # two species
    write(path, frames, format="extxyz")
    _same(path, "extxyz", monkeypatch, index)


@pytest.mark.parametrize("index", [0, -1, 2])
def test_lammps_dump_matches_read_frames(tmp_path, monkeypatch, index):
    from ase.calculators.lammps import Prism  # noqa: F401 - ASE with LAMMPS support

    path = tmp_path / "dump.lammpstrj"
    with open(path, "w") as fh:
        for t, atoms in enumerate(_frames()):
            _write_dump(fh, atoms, t, scaled=t == 1)
    _same(path, "lammps-dump-text", monkeypatch, index)


def _write_dump(fh, atoms, step, scaled=False):
    """A LAMMPS dump frame of ``atoms`` (lower-triangular cell at the origin), ids shuffled."""
    from ase.calculators.lammps import Prism

    prism = Prism(np.asarray(atoms.cell))
    cell = prism.lammps_cell if hasattr(prism, "lammps_cell") else prism.get_lammps_prism()
    xhi, yhi, zhi, xy, xz, yz = (
        (cell[0, 0], cell[1, 1], cell[2, 2], cell[1, 0], cell[2, 0], cell[2, 1])
        if np.ndim(cell) == 2
        else cell
    )
    pos = prism.vector_to_lammps(atoms.positions, wrap=True)
    n = len(atoms)
    order = np.random.default_rng(step).permutation(n)
    fh.write(f"ITEM: TIMESTEP\n{step}\nITEM: NUMBER OF ATOMS\n{n}\n")
    fh.write("ITEM: BOX BOUNDS xy xz yz pp pp pp\n")
    fh.write(f"{min(0, xy, xz, xy + xz)} {xhi + max(0, xy, xz, xy + xz)} {xy}\n")
    fh.write(f"{min(0, yz)} {yhi + max(0, yz)} {xz}\n0 {zhi} {yz}\n")
    if scaled:
        lammps_cell = np.array([[xhi, 0, 0], [xy, yhi, 0], [xz, yz, zhi]])
        pos = pos @ np.linalg.inv(lammps_cell)
        fh.write("ITEM: ATOMS id type xs ys zs\n")
    else:
        fh.write("ITEM: ATOMS id type x y z\n")
    for i in order:
        fh.write(f"{i + 1} {atoms.numbers[i] % 7 + 1} {pos[i, 0]:.10f} {pos[i, 1]:.10f} {pos[i, 2]:.10f}\n")


def test_errors_name_the_file(tmp_path):
    path = tmp_path / "bad.xyz"
    path.write_text('3\nLattice="5 0 0 0 5 0 0 0 5" Properties=species:S:1:pos:R:3\nCu 0 0 0\nCu 1 x 1\n')
    with pytest.raises(ValueError, match="bad.xyz"):
        read_large(path)
    with pytest.raises(FileNotFoundError):
        read_large(tmp_path / "missing.xyz")
