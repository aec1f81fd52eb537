"""Reader errors in words (issue 14): binary data, broken CIF symmetry, files without frames, absurd extents.

Each case is checked through the Python reader (``arisekit.io.read_frames``) and both command-line front
ends (``arisekit classify`` and ``arisekit spm``): the message names the file, the frame and the line, and
no raw ``UnicodeDecodeError``/``ZeroDivisionError``/``StopIteration`` text leaks out.
"""

from __future__ import annotations

import gzip
import re

import numpy as np
import pytest
from ase import Atoms
from ase.build import bulk

from arisekit.cli import main
from arisekit.geometry import strided_boxes
from arisekit.io import read_frames

RAW = ("UnicodeDecodeError", "ZeroDivisionError", "StopIteration", "codec can't decode", "float division")

BROKEN_CIF = """data_broken
_cell_length_a 3.6
_cell_length_b 3.6
_cell_length_c 3.6
_cell_angle_alpha 90
_cell_angle_beta 90
_cell_angle_gamma 90
loop_
_symmetry_equiv_pos_as_xyz
'x, y, z'
'x/0, y, z'
loop_
_atom_site_label
_atom_site_type_symbol
_atom_site_fract_x
_atom_site_fract_y
_atom_site_fract_z
Cu1 Cu 0 0 0
Cu2 Cu 0.5 0.5 0
"""

XYZ_FRAME = "2\nframe\nCu 0 0 0\nCu 1.8 1.8 0\n"


def _garbage(tmp_path, name="garbage.xyz"):
    path = tmp_path / name
    path.write_bytes(bytes(np.random.default_rng(0).integers(0, 256, 3000, dtype=np.uint8)))
    return path


def _cases(tmp_path):
    """(file, regex the message must match) for every reader case of the issue."""
    garbage = _garbage(tmp_path)
    cif = tmp_path / "broken.cif"
    cif.write_text(BROKEN_CIF)
    blank = tmp_path / "blank.extxyz"
    blank.write_text("\n\n\n")
    nodata = tmp_path / "nodata.cif"
    nodata.write_text("# a CIF comment and no data block\n")
    return [
        (garbage, rf"{re.escape(str(garbage))}: line \d+: frame 0: not a text file"),
        (cif, re.escape(f"{cif}: line 11: frame 0: symmetry operation 'x/0, y, z' cannot be parsed")),
        (blank, re.escape(f"{blank} contains no frames")),
        (nodata, re.escape(f"{nodata} contains no frames")),
    ]


def _check_clean(message: str) -> None:
    for raw in RAW:
        assert raw not in message, message


@pytest.mark.parametrize("index", ["-1", ":", 0])
def test_python_reader_messages(tmp_path, index):
    for path, pattern in _cases(tmp_path):
        with pytest.raises(ValueError, match=pattern) as info:
            list(read_frames(path, index=index))
        _check_clean(str(info.value))
        assert info.value.__class__ is ValueError


def test_binary_bytes_are_pinned_to_their_line_and_frame(tmp_path):
    path = tmp_path / "late.xyz"
    path.write_bytes((XYZ_FRAME * 2).encode()[:-8] + b"\xff\xfe 1 1\n")
    with pytest.raises(ValueError, match=re.escape(f"{path}: line 8: frame 1: not a text file: byte 0xff")):
        list(read_frames(path))
    assert len(list(read_frames(path, index=0))) == 1  # frame 0 is text and still readable
    nul = tmp_path / "zeros.lammpstrj"
    nul.write_bytes(b"\x00" * 64)
    with pytest.raises(ValueError, match=re.escape(f"{nul}: line 1: frame 0: not a text file: a NUL byte")):
        list(read_frames(nul, format="lammps-dump-text"))
    packed = tmp_path / "garbage.xyz.gz"
    packed.write_bytes(gzip.compress(_garbage(tmp_path, "g.xyz").read_bytes()))
    with pytest.raises(ValueError, match=re.escape(f"{packed}: line 1: frame 0: not a text file")):
        list(read_frames(packed, format="xyz"))
    other = _garbage(tmp_path, "garbage.pdb")  # a format ase.io reads itself
    with pytest.raises(ValueError, match=re.escape(f"{other}: line 1:") + ".*not a text file") as info:
        list(read_frames(other))
    _check_clean(str(info.value))


def test_binary_point_cloud(tmp_path, capsys):
    from arisekit.io import read_point_cloud

    path = tmp_path / "cloud.csv"
    path.write_bytes(b"Fe 0 0 0\nFe 1 1 1\n" + _garbage(tmp_path, "g.bin").read_bytes())
    with pytest.raises(ValueError, match=re.escape(f"{path}: line 3: not a text file")) as info:
        read_point_cloud(path)
    _check_clean(str(info.value))
    assert main(["spm", str(path), "--out", str(tmp_path / "x.h5")]) == 2
    assert f"{path}: line 3: not a text file" in capsys.readouterr().err


def test_crlf_and_multi_block_cif(tmp_path):
    crlf = tmp_path / "crlf.xyz"
    crlf.write_bytes(XYZ_FRAME.replace("\n", "\r\n").encode())
    (atoms,) = read_frames(crlf)
    assert atoms.get_chemical_symbols() == ["Cu", "Cu"]
    two = tmp_path / "two.cif"
    good = BROKEN_CIF.replace("'x/0, y, z'\n", "").replace("data_broken", "data_good")
    two.write_text(good + "\n" + BROKEN_CIF)
    with pytest.raises(ValueError, match=re.escape(f"{two}: line 30: frame 1: symmetry operation 'x/0")):
        list(read_frames(two, index=":"))


@pytest.mark.parametrize("command", ["classify", "spm"])
def test_cli_names_file_frame_and_line(tmp_path, capsys, command):
    for path, pattern in _cases(tmp_path):
        argv = [command, str(path)] + (["--out", str(tmp_path / "x.h5")] if command == "spm" else [])
        assert main(argv) != 0
        err = capsys.readouterr().err
        assert re.search(pattern, err), err
        _check_clean(err)
        assert "Traceback" not in err
    assert not (tmp_path / "x.h5").exists()


def test_train_extra_structures_names_file_frame_and_line(tmp_path, capsys):
    from arisekit.model import write_dataset

    rng = np.random.default_rng(0)
    data = write_dataset(
        tmp_path / "d.h5", rng.random((8, 4)), np.arange(8) % 2, ["a", "b"], None, {"cutoff": 2}
    )
    for path, pattern in _cases(tmp_path):
        argv = [
            "train",
            "--dataset",
            str(data),
            "--out",
            str(tmp_path / "m"),
            "--extra-structures",
            f"{path}:a",
        ]
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert re.search(pattern, err), err
        _check_clean(err)
    assert not (tmp_path / "m").exists()


# --------------------------------------------------------------------------- absurd extents


def _stray(offset: float = 1e8) -> Atoms:
    atoms = bulk("Cu", "fcc", a=3.6, cubic=True).repeat(4)
    atoms.pbc = False
    atoms.cell = None
    atoms.positions[5] += offset
    return atoms


def test_box_grid_of_an_absurd_extent_is_refused_in_python(monkeypatch):
    import arisekit.geometry.boxes as boxes

    def never(*args, **kwargs):
        raise AssertionError("the C++ core was called with an absurd grid")

    monkeypatch.setattr(boxes._core, "strided_boxes", never)
    for mode in ("bulk", "slab"):  # a rod grid of 1e8 boxes fits in the memory limit
        with pytest.raises(ValueError, match=r"box grid of 1\.\d+e\+\d+ boxes") as info:
            strided_boxes(_stray(), 16.0, 1.0, geometry=mode)
        message = str(info.value)
        assert "-9223372036854775808" not in message
        assert "atom 5" in message and "extent" in message, message
    with pytest.raises(ValueError, match="box grid of"):  # a huge memory cap does not let it through
        strided_boxes(_stray(1e9), 1.0, 1e-3, max_memory=1e300)


def test_box_grid_just_within_the_limit_still_works():
    grid = strided_boxes(_stray(200.0), 16.0, 8.0)
    assert grid.n_boxes == int(np.prod(grid.shape)) > 0 and (grid.counts >= 0).all()


def test_spm_cli_stray_atom(tmp_path, capsys):
    path = tmp_path / "stray.xyz"
    _stray().write(path)
    assert main(["spm", str(path), "--out", str(tmp_path / "x.h5")]) != 0
    err = capsys.readouterr().err
    assert "box grid of 1." in err and "atom 5" in err and "-922337" not in err, err
    assert not (tmp_path / "x.h5").exists()
