"""``arisekit prototypes`` command line: list, show, write, unknown names."""

from __future__ import annotations

import json

import numpy as np
from ase.io import read

from arisekit import prototypes
from arisekit.cli import main


def test_list_table(capsys):
    assert main(["prototypes", "list"]) == 0
    out = capsys.readouterr().out
    assert f"{len(prototypes.names())} classes" in out
    assert "A_cF4_225_a" in out and "CNT_7_1" in out


def test_list_category_json(capsys):
    assert main(["prototypes", "list", "--category", "2D", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in rows] == prototypes.names("2D")
    assert all(r["category"] == "2D" for r in rows)


def test_show_summary(capsys):
    assert main(["prototypes", "show", "wurtzite"]) == 0
    out = capsys.readouterr().out
    assert "186" in out and "AB_hP4_186_b_b" in out and "n_atoms" in out


def test_show_writes_any_ase_format(tmp_path, capsys):
    xyz = tmp_path / "graphene.xyz"
    assert main(["prototypes", "show", "graphene", "--out", str(xyz)]) == 0
    atoms = read(xyz)
    ref = prototypes.build("graphene")
    assert len(atoms) == len(ref) and tuple(atoms.pbc) == (True, True, False)
    assert np.allclose(atoms.positions, ref.positions)
    poscar = tmp_path / "POSCAR"
    assert main(["prototypes", "show", "NaCl", "--out", str(poscar), "--format", "vasp"]) == 0
    assert len(read(poscar, format="vasp")) == 2  # the paper's primitive rock-salt cell
    sc = tmp_path / "sc.xyz"
    assert main(["prototypes", "show", "fcc", "--supercell", "1", "--out", str(sc)]) == 0
    assert len(read(sc)) == 216
    assert "wrote" in capsys.readouterr().out


def test_unknown_name_suggests(capsys):
    assert main(["prototypes", "show", "wurzite"]) == 2
    err = capsys.readouterr().err
    assert "unknown prototype class 'wurzite'" in err and "'wurtzite'" in err


def test_negative_supercell_index(capsys):
    assert main(["prototypes", "show", "fcc", "--supercell", "-1"]) == 2
    assert "--supercell" in capsys.readouterr().err


def test_show_and_list_know_the_papers_labels(capsys):
    assert main(["prototypes", "show", "fcc_Cu_A_cF4_225_a"]) == 0
    out = capsys.readouterr().out
    assert "fcc_Cu_A_cF4_225_a" in out and "paper_label" in out and "name" in out and " fcc\n" in out
    assert main(["prototypes", "list", "--category", "2D"]) == 0
    out = capsys.readouterr().out
    assert "paper label" in out and "46 classes" in out
