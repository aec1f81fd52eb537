"""ARISEModifier in real OVITO pipelines: LAMMPS dumps and extended XYZ files, all modes, caching, errors."""

from __future__ import annotations

import importlib.metadata

import ase.io
import numpy as np
import pytest
from ase.build import bulk
from helpers import bicrystal
from ovito.data import DataCollection
from ovito.io import import_file
from ovito.io.ase import ase_to_ovito

from arisekit.ovito import ARISEModifier, ParameterError
from arisekit.ovito.convert import UNTYPED_SPECIES, data_to_atoms, type_numbers
from arisekit.ovito.palette import type_colors
from arisekit.spm import spm

SPM = dict(box_size=10.0, stride=4.0, n_samples=20)


def write_dump(path, frames, with_types: bool = True, bounds=None) -> None:
    """LAMMPS text dump of frames given as (positions Å, types): open box (``ff``, 1 Å margin), or periodic
    (``pp``) with ``bounds`` = (lo, hi) per axis."""
    with open(path, "w") as f:
        for step, (pos, types) in enumerate(frames):
            if bounds is None:
                lo, hi, kind = pos.min(axis=0) - 1.0, pos.max(axis=0) + 1.0, "ff ff ff"
            else:
                lo, hi, kind = np.asarray(bounds[0]), np.asarray(bounds[1]), "pp pp pp"
            f.write(f"ITEM: TIMESTEP\n{step}\nITEM: NUMBER OF ATOMS\n{len(pos)}\nITEM: BOX BOUNDS {kind}\n")
            f.writelines(f"{lo[a]:.6f} {hi[a]:.6f}\n" for a in range(3))
            f.write("ITEM: ATOMS id type x y z\n" if with_types else "ITEM: ATOMS id x y z\n")
            for i, (p, t) in enumerate(zip(pos, types if with_types else [0] * len(pos))):
                cols = f"{i + 1} {t} " if with_types else f"{i + 1} "
                f.write(cols + f"{p[0]:.6f} {p[1]:.6f} {p[2]:.6f}\n")


@pytest.fixture(scope="module")
def dump_file(tmp_path_factory):
    """Two frames: the fcc|bcc bicrystal (types 1 = Cu, 2 = Fe) and its mirror image along x (bcc|fcc)."""
    s = bicrystal()
    types = np.where(s.numbers == 29, 1, 2)
    mirrored = s.positions.copy()
    mirrored[:, 0] = mirrored[:, 0].max() - mirrored[:, 0]
    path = tmp_path_factory.mktemp("ovito") / "bicrystal.dump"
    write_dump(path, [(s.positions, types), (mirrored, types)])
    return path


@pytest.fixture
def calls(monkeypatch, metal_model):
    """Counts the test model's predict_uncertainty calls (every classification goes through it).

    Patched on the instance the modifiers are given, so the count does not depend on which class object
    other test modules may have left in place."""
    counter = {"n": 0}
    original = metal_model.predict_uncertainty

    def counting(*args, **kwargs):
        counter["n"] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(metal_model, "predict_uncertainty", counting)
    return counter


def structure_names(prop) -> dict[int, str]:
    return {t.id: t.name for t in prop.types}


def test_entry_point_registered():
    eps = importlib.metadata.entry_points(group="OVITO.Modifier")
    ours = [ep for ep in eps if ep.value == "arisekit.ovito:ARISEModifier"]
    assert [ep.name for ep in ours] == ["ARISE crystal-structure recognition"]
    assert ours[0].load() is ARISEModifier


def test_projection_on_lammps_dump(dump_file, metal_model):
    pipeline = import_file(str(dump_file))
    assert pipeline.num_frames == 2
    pipeline.modifiers.append(
        ARISEModifier(model=metal_model, box_descriptors="exact", output_classes=["fcc", "bcc"], **SPM)
    )
    for frame, (left, right) in enumerate([("fcc", "bcc"), ("bcc", "fcc")]):
        data = pipeline.compute(frame)
        p = data.particles
        st = p["Structure Type"]
        names = structure_names(st)
        assert names == {0: "Unclassified", 1: "fcc", 2: "bcc", 3: "hcp", 4: "diamond"}
        st = np.asarray(st)
        x = np.asarray(p.positions)[:, 0]
        by_name = np.array([names[t] for t in st])
        assert np.mean(by_name[x < 10] == left) > 0.95 and np.mean(by_name[x > x.max() - 10] == right) > 0.95
        prob, mi = np.asarray(p["ARISE Probability"]), np.asarray(p["Mutual Information"])
        assert np.all((prob >= 0) & (prob <= 1)) and np.all(mi >= 0)
        p_fcc, p_bcc = np.asarray(p["Probability fcc"]), np.asarray(p["Probability bcc"])
        assert np.all((p_fcc >= 0) & (p_fcc <= 1))
        # atoms of a class with an output column (grain-boundary atoms may be of another class)
        shown = np.isin(by_name, ["fcc", "bcc"])
        assert shown.mean() > 0.7
        np.testing.assert_allclose(np.where(by_name == "fcc", p_fcc, p_bcc)[shown], prob[shown], rtol=1e-6)
        assert "Probability hcp" not in p
        np.testing.assert_allclose(np.asarray(p["Color"]), type_colors(metal_model.classes_)[st], atol=1e-6)
        table = data.tables["arise-structures"]
        counts = dict(zip(np.asarray(table.x), np.asarray(table.y)))
        assert sum(counts.values()) == p.count and counts[1] == np.count_nonzero(st == 1)
        assert structure_names(table.x)[2] == "bcc"
        a = data.attributes
        assert a["ARISE.mode"] == "spm" and a["ARISE.n_classes"] == 4
        # fractions of the selected classes: the atoms' types (boundary atoms may take other classes)
        assert a["ARISE.fraction.fcc"] == pytest.approx(np.mean(by_name == "fcc"))
        assert a["ARISE.fraction.bcc"] == pytest.approx(np.mean(by_name == "bcc"))
        assert a["ARISE.unclassified_fraction"] == pytest.approx(np.mean(by_name == "Unclassified"))
        assert a["ARISE.n_classified_boxes"] <= a["ARISE.n_boxes"] and a["ARISE.mean_mutual_information"] >= 0


@pytest.mark.parametrize("box_descriptors", ["exact", "fast"])
def test_voxel_grid_matches_spm(dump_file, metal_model, box_descriptors):
    pipeline = import_file(str(dump_file))
    mod = ARISEModifier(model=metal_model, project_to_atoms=False, box_descriptors=box_descriptors, **SPM)
    pipeline.modifiers.append(mod)
    data = pipeline.compute(0)
    assert "Structure Type" not in data.particles  # maps only
    atoms, origin = data_to_atoms(data)
    ref = spm(atoms, box_descriptors=box_descriptors, model=metal_model, **SPM)
    grid = data.grids["arise-spm"]
    assert tuple(grid.shape) == ref.shape
    for name, values in [("Mutual Information", ref.mutual_information), ("Probability fcc", None)]:
        if values is None:
            assert name not in grid  # no class selected
            continue
        np.testing.assert_array_equal(np.asarray(grid.view(grid[name])), values.reshape(ref.shape))
    np.testing.assert_array_equal(np.asarray(grid.view(grid["Atom Count"])), ref.counts.reshape(ref.shape))
    st = np.asarray(grid.view(grid["Structure Type"]))
    np.testing.assert_array_equal(st, np.where(ref.argmax >= 0, ref.argmax + 1, 0).reshape(ref.shape))
    # voxel centres are the box centres, in OVITO's frame
    cell = np.asarray(grid.domain[...])
    i, j, k = (np.array(ref.shape) - 1) // 2
    centre = cell[:, 3] + cell[:, :3] @ ((np.array([i, j, k]) + 0.5) / np.array(ref.shape))
    np.testing.assert_allclose(centre, ref.centers.reshape(*ref.shape, 3)[i, j, k] + origin, atol=1e-9)
    table = data.tables["arise-structures"]
    assert int(np.asarray(table.y).sum()) == ref.n_boxes
    assert data.attributes["ARISE.n_boxes"] == ref.n_boxes


def test_global_mode_periodic_extxyz(tmp_path, metal_model):
    crystal = bulk("Cu", "fcc", a=3.61, cubic=True).repeat(3)
    crystal.positions += 5.0  # cell origin stays at 0: positions are wrapped by ARISE
    ase.io.write(tmp_path / "fcc.xyz", crystal, format="extxyz")
    pipeline = import_file(str(tmp_path / "fcc.xyz"))
    pipeline.modifiers.append(
        ARISEModifier(model=metal_model, mode="global", n_samples=50, output_classes=["*"])
    )
    data = pipeline.compute()
    assert data.cell.pbc == (True, True, True)
    a = data.attributes
    assert a["ARISE.prediction"] == "fcc" and a["ARISE.probability"] > 0.9
    assert (
        a["ARISE.mutual_information"] >= 0 and a["ARISE.predictive_entropy"] >= a["ARISE.mutual_information"]
    )
    assert sum(a[f"ARISE.probability.{n}"] for n in metal_model.classes_) == pytest.approx(1.0)
    assert set(np.asarray(data.particles["Structure Type"])) == {1}
    assert np.asarray(data.tables["arise-probabilities"].y)[0] == pytest.approx(a["ARISE.probability"])
    assert "arise-spm" not in data.grids


def test_absent_types_stay_selectable_and_leave_the_legend(tmp_path, metal_model):
    """Every class stays a defined type (SelectTypeModifier by name works, selecting nothing, on a frame
    where the class is absent), but only the types present are enabled: the colour legend lists those."""
    from ovito.modifiers import SelectTypeModifier
    from ovito.vis import ColorLegendOverlay

    from arisekit.ovito import legend_types, structure_legend

    crystal = bulk("Cu", "fcc", a=3.61, cubic=True).repeat(3)
    ase.io.write(tmp_path / "fcc.xyz", crystal, format="extxyz")
    pipeline = import_file(str(tmp_path / "fcc.xyz"))
    pipeline.modifiers.append(ARISEModifier(model=metal_model, mode="global", n_samples=20))
    select = SelectTypeModifier(property="Structure Type", types={"bcc", "diamond"})
    pipeline.modifiers.append(select)
    data = pipeline.compute()
    types = data.particles["Structure Type"].types
    assert [t.name for t in types] == ["Unclassified", *metal_model.classes_]  # all defined
    assert data.attributes["SelectType.num_selected"] == 0
    assert not np.asarray(data.particles["Selection"]).any()
    assert legend_types(data) == ["fcc"] == [t.name for t in types if t.enabled]
    select.types = {"fcc"}
    assert pipeline.compute().attributes["SelectType.num_selected"] == len(crystal)

    legend = structure_legend(pipeline=pipeline)
    assert isinstance(legend, ColorLegendOverlay) and legend.property == "particles/Structure Type"
    assert structure_legend("grid", font_size=0.1).font_size == 0.1
    with pytest.raises(ValueError, match="source"):
        structure_legend("bonds")


def test_legend_of_spm_grid_lists_present_types(dump_file, metal_model):
    pipeline = import_file(str(dump_file))
    pipeline.modifiers.append(ARISEModifier(model=metal_model, **SPM))
    data = pipeline.compute(0)
    from arisekit.ovito import legend_types

    props = {"particles": data.particles["Structure Type"], "grid": data.grids["arise-spm"]["Structure Type"]}
    for source, prop in props.items():
        present = set(np.unique(np.asarray(prop)).tolist())
        names = structure_names(prop)
        assert len(names) == len(metal_model.classes_) + 1
        assert legend_types(data, source) == [names[t] for t in sorted(present)]
        assert len(present) < len(names)  # fcc|bcc bicrystal: hcp and diamond absent


def test_polycrystal_extxyz_grains(tmp_path, metal_model):
    from arisekit.samples import polycrystal

    sample = polycrystal(["fcc", "bcc"], size=(36, 36, 10), n_grains=4, seed=1, species="Cu")
    ase.io.write(tmp_path / "poly.xyz", sample, format="extxyz")
    pipeline = import_file(str(tmp_path / "poly.xyz"))
    pipeline.modifiers.append(ARISEModifier(model=metal_model, box_descriptors="exact", **SPM))
    data = pipeline.compute()
    truth = np.array(sample.info["class_names"])[np.asarray(data.particles["class_label"])]
    names = structure_names(data.particles["Structure Type"])
    pred = np.array([names[t] for t in np.asarray(data.particles["Structure Type"])])
    interior = np.asarray(data.particles["boundary_distance"]) > 6.0
    assert interior.sum() > 200 and np.mean(pred[interior] == truth[interior]) > 0.95
    assert data.grids["arise-spm"].shape[2] == 1  # 10 Å thick slab: 2D grid


def test_cache_per_frame_and_output_options(dump_file, metal_model, calls):
    pipeline = import_file(str(dump_file))
    mod = ARISEModifier(model=metal_model, box_descriptors="fast", **SPM)
    pipeline.modifiers.append(mod)
    first = np.asarray(pipeline.compute(0).particles["Structure Type"]).copy()
    n0 = calls["n"]
    assert n0 > 0
    pipeline.compute(0)
    pipeline.compute(1)
    n1 = calls["n"]
    assert n1 > n0  # frame 1 is new
    again = pipeline.compute(0)
    assert calls["n"] == n1  # frame 0 from the cache
    np.testing.assert_array_equal(np.asarray(again.particles["Structure Type"]), first)
    # output-only options: outputs change, the classifier is not called
    mod.output_classes = ["hcp"]
    data = pipeline.compute(0)
    assert "Probability hcp" in data.particles and calls["n"] == n1
    mod.output_classes.append("diamond")  # in-place edit is seen too
    data = pipeline.compute(0)
    assert "Probability diamond" in data.particles and calls["n"] == n1
    mod.color_by_type = False
    assert "Color" not in pipeline.compute(0).particles and calls["n"] == n1
    # a computational parameter invalidates the cache
    mod.n_samples = 10
    pipeline.compute(0)
    assert calls["n"] > n1


def test_progress_cancel_and_memory_bound(metal_model, calls):
    data = ase_to_ovito(bicrystal())
    mod = ARISEModifier(model=metal_model, box_descriptors="fast", **SPM)
    cache = DataCollection()
    gen = mod.modify(data, frame=0, data_cache=cache)
    for item in gen:  # stop at the first progress fraction, as OVITO does on cancel
        if isinstance(item, float):
            break
    gen.close()
    assert not any(k.startswith("ARISE.cache.frame") for k in cache.attributes)
    assert "Structure Type" not in data.particles
    progress = list(mod.modify(data, frame=0, data_cache=cache))
    fractions = [p for p in progress if isinstance(p, float)]
    assert any(isinstance(p, str) for p in progress) and fractions[-1] == 1.0
    assert all(0 <= a <= b <= 1 for a, b in zip(fractions, fractions[1:]))
    assert "ARISE.cache.frame0" in cache.attributes and "Structure Type" in data.particles
    n = calls["n"]
    list(mod.modify(ase_to_ovito(bicrystal()), frame=0, data_cache=cache))
    assert calls["n"] == n  # cached
    mod.cache_memory = 0.0  # keep only the frame just computed
    moved = bicrystal()
    moved.positions += 0.5
    list(mod.modify(ase_to_ovito(moved), frame=1, data_cache=cache))
    assert calls["n"] > n  # different input
    keys = [k for k in cache.attributes if k.startswith("ARISE.cache.frame")]
    assert keys == ["ARISE.cache.frame1"]


def test_pipeline_without_particle_types(tmp_path, metal_model):
    s = bicrystal()
    write_dump(tmp_path / "untyped.dump", [(s.positions, None)], with_types=False)
    pipeline = import_file(str(tmp_path / "untyped.dump"))
    pipeline.modifiers.append(ARISEModifier(model=metal_model, box_descriptors="exact", **SPM))
    data = pipeline.compute()
    assert data.particles.particle_types is None
    atoms, _ = data_to_atoms(data)
    assert set(atoms.get_chemical_symbols()) == {UNTYPED_SPECIES}
    st = np.asarray(data.particles["Structure Type"])
    x = np.asarray(data.particles.positions)[:, 0]
    assert np.mean(st[x < 10] == 1) > 0.95 and np.mean(st[x > 32] == 2) > 0.95


def test_periodic_dump_with_cell_origin(tmp_path, metal_model):
    crystal = bulk("Cu", "fcc", a=3.61, cubic=True).repeat(4)  # 14.44 Å periodic cube
    half = crystal.cell.lengths() / 2
    pos = crystal.positions - half + 0.3  # box [-L/2, L/2); atoms near +L/2 leave it (wrapped by ARISE)
    write_dump(tmp_path / "periodic.dump", [(pos, [1] * len(pos))], bounds=(-half, half))
    pipeline = import_file(str(tmp_path / "periodic.dump"))
    pipeline.modifiers.append(ARISEModifier(model=metal_model, box_descriptors="exact", **SPM))
    data = pipeline.compute()
    assert data.cell.pbc == (True, True, True)
    atoms, origin = data_to_atoms(data)
    np.testing.assert_allclose(origin, -half)
    np.testing.assert_allclose(atoms.positions, pos + half)
    assert np.all(np.asarray(data.particles["Structure Type"]) == 1)  # fcc everywhere
    cell = np.asarray(data.grids["arise-spm"].domain[...])
    assert np.all(cell[:, 3] > -half - 1e-9) and np.all(cell[:, 3] < half)  # grid in OVITO's frame


def test_type_mapping():
    from ovito.data import ElementType, Particles

    particles = Particles(count=4)
    prop = particles.create_property("Particle Type", data=[1, 2, 29, 29])
    prop.types.append(ElementType(id=1, name="Cu"))  # named: Cu (29)
    prop.types.append(ElementType(id=2, name="type2"))  # not a symbol: Z = 2
    prop.types.append(ElementType(id=29, name=""))  # Z = 29 is taken by Cu: next free
    z = type_numbers(particles)
    assert z[0] == 29 and z[1] == 2 and z[2] == z[3] and len(set(z)) == 3


def test_model_path_matches_model_object(tmp_path, metal_model):
    metal_model.save(tmp_path / "model")
    data = ase_to_ovito(bulk("Fe", "bcc", a=2.87, cubic=True).repeat(3))
    by_path, by_object = data.clone(), data.clone()
    by_path.apply(ARISEModifier(model_path=str(tmp_path / "model"), mode="global", n_samples=20))
    by_object.apply(ARISEModifier(model=metal_model, mode="global", n_samples=20))
    assert by_path.attributes["ARISE.prediction"] == "bcc"
    assert by_path.attributes["ARISE.probability"] == pytest.approx(by_object.attributes["ARISE.probability"])


def test_bad_parameters(tmp_path, metal_model):
    with pytest.raises(ValueError, match="box_size"):
        ARISEModifier(box_size=-3.0)
    with pytest.raises(ParameterError, match="n_samples"):
        ARISEModifier(n_samples=0)
    with pytest.raises(ValueError, match="mode"):
        ARISEModifier(mode="voxels")
    data = ase_to_ovito(bicrystal())
    with pytest.raises(ValueError, match="stride"):
        data.clone().apply(ARISEModifier(model=metal_model, box_size=4.0, stride=5.0))
    with pytest.raises(ValueError, match=r"output_classes: unknown class 'fc'.*fcc"):
        data.clone().apply(ARISEModifier(model=metal_model, mode="global", output_classes=["fc"]))
    with pytest.raises(ValueError, match="box_size"):  # larger than the sample
        data.clone().apply(ARISEModifier(model=metal_model, box_size=500.0, stride=4.0))
    with pytest.raises(FileNotFoundError, match="model directory not found"):
        data.clone().apply(ARISEModifier(model_path=str(tmp_path / "missing"), mode="global"))
    with pytest.raises(ValueError, match="no particles"):
        DataCollection().apply(ARISEModifier(model=metal_model))


def test_one_vocabulary_and_older_settings():
    """mode in the words of arisekit.modes, box_descriptors as in SPMParameters; older settings still read."""
    from arisekit.modes import BOX_DESCRIPTORS, MODES
    from arisekit.ovito.modifier import MODES as MODIFIER_MODES

    assert set(MODIFIER_MODES) == set(MODES)
    assert set(ARISEModifier.class_traits()["box_descriptors"].handler.values) == set(BOX_DESCRIPTORS)
    mod = ARISEModifier()
    assert (mod.mode, mod.project_to_atoms, mod.box_descriptors) == ("spm", True, "fast")
    assert mod.spm_parameters().box_descriptors == "fast"
    old = ARISEModifier(mode="spm_atoms", spm_mode="exact")  # a script of the older API
    assert (old.mode, old.project_to_atoms, old.box_descriptors) == ("spm", True, "exact")
    assert old.spm_mode == "exact"
    old.project_to_atoms = False
    old.mode = "spm_atoms"  # implies the projection
    old.spm_mode = "fast"  # attribute of the older name
    assert (old.mode, old.project_to_atoms, old.box_descriptors) == ("spm", True, "fast")
    with pytest.raises(ParameterError, match="box_descriptors"):
        ARISEModifier(spm_mode="approximate")
    with pytest.raises(AttributeError):
        _ = ARISEModifier().no_such_setting


def test_project_to_atoms_off_gives_the_maps_only(metal_model, calls):
    data = ase_to_ovito(bicrystal())
    maps = data.clone()
    maps.apply(ARISEModifier(model=metal_model, project_to_atoms=False, **SPM))
    both = data.clone()
    both.apply(ARISEModifier(model=metal_model, **SPM))
    assert "Structure Type" not in maps.particles and "Structure Type" in both.particles
    assert maps.attributes["ARISE.mode"] == both.attributes["ARISE.mode"] == "spm"
    np.testing.assert_array_equal(
        np.asarray(maps.grids["arise-spm"].view(maps.grids["arise-spm"]["Structure Type"])),
        np.asarray(both.grids["arise-spm"].view(both.grids["arise-spm"]["Structure Type"])),
    )
