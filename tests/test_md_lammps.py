"""LAMMPS-backed MD frames (tiny systems, a few hundred steps); skipped without ``lammps``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from ase.build import bulk

from arisekit.md import lammps_md as md
from arisekit.md import zhou_eam

try:
    lammps = md.import_lammps()
except ImportError:  # same effect as pytest.importorskip("lammps"), with the MPI library preloaded
    pytest.skip("the lammps module is not installed (pip install 'arisekit[md]')", allow_module_level=True)

TINY = dict(n_atoms=108, n_equil=150, interval=50)  # 108-atom fcc Cu, 200 steps for two frames


def _structure_factor(atoms, hkl):
    """|S(k)|/N at the box-commensurate k = 2π (h/Lx, k/Ly, l/Lz)."""
    k = 2 * np.pi * np.asarray(hkl) / atoms.cell.lengths()
    return abs(np.exp(1j * atoms.positions @ k).sum()) / len(atoms)


def test_lammps_energy_matches_the_analytic_potential():
    for el in ("Cu", "Fe", "Ti"):
        atoms = zhou_eam.ground_state(el).repeat(3 if el != "Ti" else (3, 2, 2))
        e_lmp, _ = md.static_energy(atoms)
        # analytic lattice sum with the paper's functions
        from ase.neighborlist import neighbor_list

        i, d = neighbor_list("id", atoms, zhou_eam.default_cutoff([el]))
        rho = np.bincount(i, zhou_eam.density(el, d), len(atoms))
        e_ana = (zhou_eam.embedding(el, rho).sum() + 0.5 * zhou_eam.pair(el, d).sum()) / len(atoms)
        assert e_lmp == pytest.approx(e_ana, abs=2e-5)


def test_stillinger_weber_silicon():
    """Our SW file: diamond minimum at a = 5.431 Å, E = -2 epsilon = -4.3366 eV/atom; same numbers
    as the Si.sw shipped with the lammps wheel (where present)."""
    e, p = md.static_energy(bulk("Si", "diamond", a=5.431, cubic=True))
    assert e == pytest.approx(-4.3366, abs=2e-4)
    assert abs(p) < 500.0  # bar
    e_small, _ = md.static_energy(bulk("Si", "diamond", a=5.40, cubic=True))
    e_big, _ = md.static_energy(bulk("Si", "diamond", a=5.46, cubic=True))
    assert e_small > e and e_big > e
    shipped = Path(lammps.__file__).parent / "share" / "lammps" / "potentials" / "Si.sw"
    if shipped.is_file():
        rows = [ln.split() for ln in shipped.read_text().splitlines() if ln.strip() and ln[0] != "#"]
        theirs = [float(x) for row in rows for x in row if not x.isalpha()]
        p = md.SW_SILICON
        ours = [p[k] for k in ("epsilon", "sigma", "a", "lam", "gamma", "cos_theta0", "A", "B", "p", "q")]
        assert np.allclose(theirs[:10], ours, rtol=1e-6, atol=1e-9)


def test_crystal_frames_temperature_and_cache(tmp_path, monkeypatch):
    frames = md.crystal_frames("Cu", 600.0, n_frames=2, cache_dir=tmp_path, **TINY)
    assert len(frames) == 2
    for i, f in enumerate(frames):
        assert len(f) == 108 and f.pbc.all() and set(f.get_chemical_symbols()) == {"Cu"}
        scaled = f.get_scaled_positions(wrap=False)
        assert scaled.min() >= -1e-9 and scaled.max() < 1 + 1e-9
        assert f.info["frame"] == i and f.info["T_target"] == 600.0
        assert f.info["potential"] == "zhou2004" and f.info["kind"] == "crystal"
        assert _structure_factor(f, (6, 6, 6)) > 0.5  # still an fcc crystal (the (222) reflection)
        assert f.get_all_distances(mic=True)[np.triu_indices(108, 1)].min() > 2.0
    assert frames[1].info["step"] == 200
    assert abs(frames[1].info["segment_T_mean"] - 600.0) < 0.2 * 600.0
    assert abs(frames[1].info["T"] - 600.0) < 0.4 * 600.0  # instantaneous, 108 atoms

    def no_lammps():
        raise AssertionError("the cache should have been used")

    monkeypatch.setattr(md, "_new_lammps", no_lammps)
    again = md.crystal_frames("Cu", 600.0, n_frames=2, cache_dir=tmp_path, **TINY)
    assert all(np.array_equal(a.positions, b.positions) for a, b in zip(frames, again))
    assert again[1].info["T"] == frames[1].info["T"]
    (directory,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    assert directory.name.startswith("crystal-Cu-zhou2004-fcc-T600-N108-s0-")
    names = sorted(p.name for p in directory.glob("frame_*.extxyz"))
    assert names == ["frame_00000.extxyz", "frame_00001.extxyz"]


def test_resumed_run_is_identical_and_keys_differ(tmp_path):
    kw = dict(TINY, max_segment_steps=80)
    whole = md.crystal_frames("Cu", 400.0, n_frames=3, cache_dir=tmp_path / "a", **kw)
    md.crystal_frames("Cu", 400.0, n_frames=1, cache_dir=tmp_path / "b", **kw)  # "interrupted"
    resumed = md.crystal_frames("Cu", 400.0, n_frames=3, cache_dir=tmp_path / "b", **kw)
    for a, b in zip(whole, resumed):
        assert np.array_equal(a.positions, b.positions)
        assert np.array_equal(a.cell.array, b.cell.array)
    other_seed = md.crystal_frames("Cu", 400.0, n_frames=1, seed=1, cache_dir=tmp_path / "a", **kw)
    assert not np.array_equal(other_seed[0].positions, whole[0].positions)
    assert len([p for p in (tmp_path / "a").iterdir() if p.is_dir()]) == 2


def test_liquid_and_glass_frames(tmp_path):
    liquid = md.liquid_frames("Cu", 1900.0, n_atoms=108, n_melt=400, n_equil=200, cache_dir=tmp_path)[0]
    assert liquid.info["kind"] == "liquid" and len(liquid) == 108
    assert abs(liquid.info["segment_T_mean"] - 1900.0) < 0.25 * 1900.0
    assert _structure_factor(liquid, (6, 6, 6)) < 0.3  # no fcc order left
    quench = dict(n_melt=400, n_liquid=100, quench_rate=1000.0, n_equil=1000)
    glass = md.glass_frames("Cu", 300.0, n_atoms=108, cache_dir=tmp_path, **quench)[0]
    assert glass.info["kind"] == "glass" and glass.info["T_target"] == 300.0
    assert glass.info["segment_T_mean"] < 600.0  # quenched from 1.5 T_m (a 108-atom box may recrystallise)


def test_melting_point_runs_on_a_tiny_system():
    r = md.melting_point(
        "Cu", n_atoms=300, n_equil=200, n_melt=300, n_cool=100, n_coexist=400, window_ps=0.2, max_tries=1
    )
    assert r.element == "Cu" and r.potential == "zhou2004" and r.tries == 1
    assert 0.5 * 1357.8 < r.T_m < 1.5 * 1357.8 and np.isfinite(r.T_err)
    assert 0.0 <= r.solid_fraction <= 1.0 and len(r.solid_trace) == 2 and len(r.T_trace) > 10
    assert r.n_atoms > 250 and r.steps == 200 + 300 + 100 + 400


@pytest.mark.parametrize(
    "potential, element, lattice, a, energy",
    [("foiles1986", "Cu", "fcc", 3.615, -3.540), ("tersoff1988", "Si", "diamond", 5.431, -4.6304)],
)
def test_potentials_shipped_with_the_wheel(tmp_path, potential, element, lattice, a, energy):
    """foiles1986 Cu and tersoff1988 Si read the wheel's own files: 0 K minimum where stated, and a
    one-frame tiny crystal, liquid and glass run each."""
    assert element in md.available_potentials()[potential]
    pot = md.get_potential(element, potential)
    assert (pot.lattice, pot.a) == (lattice, a)
    pair = pot.write_files(tmp_path / "pot")
    assert str(md.shipped_potential_file(md.SHIPPED_POTENTIALS[potential]["file"])) in pair[1]
    assert not list((tmp_path / "pot").iterdir())  # read in place, never copied
    e, _ = md.static_energy(bulk(element, lattice, a=a, cubic=True).repeat(2), potential)
    assert e == pytest.approx(energy, abs=2e-3)
    for da in (-0.03, 0.03):
        assert md.static_energy(bulk(element, lattice, a=a + da, cubic=True).repeat(2), potential)[0] > e
    n = 108 if lattice == "fcc" else 64
    kw = dict(potential=potential, n_atoms=n, cache_dir=tmp_path)
    (crystal,) = md.crystal_frames(element, 500.0, n_equil=100, **kw)
    assert crystal.info["potential"] == potential and len(crystal) == n
    assert crystal.get_all_distances(mic=True)[np.triu_indices(n, 1)].min() > 1.8
    (liquid,) = md.liquid_frames(element, 2000.0, n_melt=100, n_equil=50, **kw)
    assert liquid.info["kind"] == "liquid"
    (glass,) = md.glass_frames(element, 300.0, n_melt=100, n_liquid=50, quench_rate=5000.0, n_equil=50, **kw)
    assert glass.info["kind"] == "glass"


def test_tersoff_germanium_written_from_the_paper(tmp_path):
    """tersoff1989 Ge: the file is written by arisekit (not read from the wheel); 0 K minimum at the
    measured a (Tersoff 1989: 5.658 Å, -3.85 eV/atom); a tiny crystal stays diamond."""
    from arisekit.dataset.md_training import lattice_fraction

    pot = md.get_potential("Ge")
    assert (pot.name, pot.lattice, pot.a) == ("tersoff1989", "diamond", md.TERSOFF_GE_A)
    pair = pot.write_files(tmp_path / "pot")
    assert (tmp_path / "pot" / "Ge.tersoff1989.tersoff").is_file() and pair[0] == "pair_style tersoff"
    e, _ = md.static_energy(bulk("Ge", "diamond", a=pot.a, cubic=True).repeat(2), "tersoff1989")
    assert e == pytest.approx(-3.8506, abs=1e-3)
    for da in (-0.03, 0.03):
        strained = bulk("Ge", "diamond", a=pot.a + da, cubic=True).repeat(2)
        assert md.static_energy(strained, "tersoff1989")[0] > e
    (crystal,) = md.crystal_frames("Ge", 600.0, n_atoms=64, n_equil=200, cache_dir=tmp_path)
    assert lattice_fraction(crystal, "diamond") > 0.9 and lattice_fraction(crystal, "fcc") < 0.1
