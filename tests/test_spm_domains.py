"""Domain-streamed SPM (arisekit.spm.domains) gives the in-memory result: periodic, open, slab and
triclinic samples, fast and exact boxes, in memory and through the resumable result file."""

import numpy as np
import pytest
from ase.build import bulk
from helpers import METALS, bicrystal

from arisekit.spm import SPMResult, spm
from arisekit.spm.domains import DomainOptions, iter_domain_spm, journal_path, stream_spm

RUN = dict(box_size=12.0, stride=3.0, n_samples=8, seed=3)


def _run(gen):
    try:
        while True:
            next(gen)
    except StopIteration as stop:
        return stop.value


def assert_same(a: SPMResult, b: SPMResult) -> None:
    assert a.shape == b.shape and a.geometry == b.geometry
    np.testing.assert_array_equal(a.centers, b.centers)
    np.testing.assert_array_equal(a.counts, b.counts)
    np.testing.assert_array_equal(a.valid, b.valid)
    np.testing.assert_array_equal(a.argmax, b.argmax)
    v = a.valid
    np.testing.assert_allclose(a.probabilities[v], b.probabilities[v], rtol=0, atol=2e-6)
    for name in ("mutual_information", "predictive_entropy", "variation_ratio"):
        np.testing.assert_allclose(getattr(a, name)[v], getattr(b, name)[v], rtol=0, atol=2e-6)
    assert a.params["exact_boxes"] == b.params["exact_boxes"]
    if a.novelty is not None:
        np.testing.assert_allclose(a.novelty[v], b.novelty[v], rtol=0, atol=1e-5)


def thermal_fcc(reps=(7, 7, 7), noise=0.06, seed=0):
    atoms = METALS["fcc"]().repeat(reps)
    atoms.positions += np.random.default_rng(seed).normal(0, noise, atoms.positions.shape)
    atoms.pbc = True
    return atoms


@pytest.fixture(scope="module")
def periodic():
    return thermal_fcc()


def test_periodic_fast_matches_in_memory(periodic, metal_model):
    ref = spm(periodic, model=metal_model, **RUN)
    assert ref.params["exact_boxes"] == 0 and ref.valid.all()
    out = spm(periodic, model=metal_model, domains=7.0, **RUN)
    assert out.params["domains"]["count"] > 4  # really split
    assert_same(ref, out)


def test_adaptive_sampling_is_the_same_in_domains(metal_model):
    """Adaptive MC decides per box (rule, seeded audit by box index): domains give the in-memory result and
    the same audit tally; settled boxes keep the fixed-T class."""
    sample = bicrystal()
    run = dict(RUN, n_samples=40, adaptive=True)
    ref = spm(sample, model=metal_model, **run)
    audit = ref.params["adaptive_audit"]
    assert audit["settled"] > 0 and set(audit) >= {"audited", "mismatches", "mismatch_bound_95"}
    out = spm(sample, model=metal_model, domains=10.0, **run)
    assert_same(ref, out)
    assert out.params["adaptive_audit"] == audit
    fixed = spm(sample, model=metal_model, **dict(run, adaptive=False))
    assert "adaptive_audit" not in fixed.params
    np.testing.assert_array_equal(fixed.argmax[fixed.valid], ref.argmax[ref.valid])


def test_open_sample_with_surface_fallback(metal_model):
    sample = thermal_fcc((10, 10, 10))
    sample.pbc = False  # free surfaces all round: outer boxes exact, the core fast
    ref = spm(sample, model=metal_model, **RUN)
    assert 0 < ref.params["exact_boxes"] < ref.valid.sum()  # both paths used
    out = _run(iter_domain_spm(sample, model=metal_model, domains=DomainOptions(size=8.0), **RUN))
    assert_same(ref, out)


def test_exact_mode_and_representations(metal_model):
    sample = bicrystal()
    run = dict(RUN, box_descriptors="exact", representations=[0])
    ref = spm(sample, model=metal_model, **run)
    out = _run(iter_domain_spm(sample, model=metal_model, domains=10.0, **run))
    assert_same(ref, out)
    np.testing.assert_allclose(ref.representations[0], out.representations[0], rtol=1e-5, atol=1e-5)


def test_slab_periodic_in_plane(metal_model):
    slab = thermal_fcc((9, 9, 3), seed=1)  # 32 x 32 x 10.8 Å: thinner than the box along z
    slab.pbc = (True, True, False)
    ref = spm(slab, model=metal_model, **RUN)
    assert ref.geometry == "slab"
    out = _run(iter_domain_spm(slab, model=metal_model, domains=9.0, **RUN))
    assert out.params["domains"]["count"] == 9
    assert_same(ref, out)


def test_triclinic_periodic_cell(metal_model):
    atoms = bulk("Mg", "hcp", a=3.21, c=5.21).repeat((8, 8, 5))  # 60° cell
    atoms.positions += np.random.default_rng(2).normal(0, 0.05, atoms.positions.shape)
    atoms.pbc = True
    ref = spm(atoms, model=metal_model, **RUN)
    out = _run(iter_domain_spm(atoms, model=metal_model, domains=6.0, **RUN))
    assert_same(ref, out)


def test_streamed_file_is_resumable(tmp_path, periodic, metal_model):
    ref = spm(periodic, model=metal_model, **RUN)
    out = tmp_path / "map.h5"
    gen = iter_domain_spm(periodic, model=metal_model, domains=DomainOptions(size=7.0, out=out), **RUN)
    next(gen), next(gen), next(gen)  # two domains finished, then "Ctrl-C"
    gen.close()
    assert not out.exists()
    kept = sorted(journal_path(out).glob("*.npz"))
    assert len(kept) == 2
    stamps = [f.stat().st_mtime_ns for f in kept]
    path = stream_spm(periodic, out, model=metal_model, domains=7.0, **RUN)
    assert path == out and not journal_path(out).exists()
    assert [f.stat().st_mtime_ns for f in kept if f.exists()] in ([], stamps)
    assert_same(ref, SPMResult.load(out))
    with pytest.raises(ValueError, match="another run"):
        journal_path(out).mkdir()
        (journal_path(out) / "job.json").write_text("{}")
        stream_spm(periodic, out, model=metal_model, domains=7.0, **RUN)


def test_options_are_validated():
    with pytest.raises(ValueError, match="size"):
        DomainOptions(size=-1.0)
    with pytest.raises(ValueError, match="n_workers"):
        DomainOptions(n_workers=-2)
    assert DomainOptions.coerce(50).size == 50.0


@pytest.mark.parametrize("kind", ["periodic", "open", "triclinic"])
def test_regional_shell_d_nn_equals_whole_sample(monkeypatch, kind):
    """Above SHELL_CHUNK_ATOMS the shell d_NN's first shells are measured region by region: same value."""
    import arisekit.spm.domains as dm
    from arisekit.geometry import nearest_neighbor_distance
    from arisekit.spm.core import _prepare

    if kind == "triclinic":
        atoms = bulk("Mg", "hcp", a=3.21, c=5.21).repeat((8, 8, 5))
        atoms.positions += np.random.default_rng(2).normal(0, 0.05, atoms.positions.shape)
    else:
        atoms = thermal_fcc((8, 8, 8))
        atoms.pbc = kind == "periodic"
    s = _prepare(atoms)
    monkeypatch.setattr(dm, "SHELL_CHUNK_ATOMS", 0)
    monkeypatch.setattr(dm, "SHELL_REGION_ATOMS", 300)  # several regions
    index = dm._AtomIndex(s.positions, 5.0)
    z = int(s.numbers[0])
    ref = nearest_neighbor_distance(s, z, z, method="shell")
    assert dm._pair_d_nn(s, z, z, "shell", index, None) == pytest.approx(ref, rel=1e-12)


@pytest.mark.parametrize("n, most", [(73, 40), (161, 40), (40, 40), (41, 40), (1, 40), (5, 1), (7, 3)])
def test_domain_blocks_are_the_fewest_of_at_most_the_size_and_even(n, most):
    from arisekit.spm.domains import _even_blocks

    blocks = _even_blocks(n, most)
    lengths = [b - a for a, b in blocks]
    assert blocks[0][0] == 0 and blocks[-1][1] == n
    assert all(b0[1] == b1[0] for b0, b1 in zip(blocks[:-1], blocks[1:]))
    assert len(blocks) == -(-n // most) and max(lengths) <= most and max(lengths) - min(lengths) <= 1


def test_merge_hyperslabs_cover_exactly_the_domain_boxes():
    from arisekit.spm.domains import _hyperslabs

    rng = np.random.default_rng(0)
    for _ in range(50):
        boxes = np.flatnonzero(rng.random(200) < rng.uniform(0.1, 0.9))
        got = np.concatenate(
            [np.add.outer(start + stride * np.arange(count), np.arange(block)).ravel()
             for start, stride, count, block in _hyperslabs(boxes)]
        )  # fmt: skip
        assert np.array_equal(got, boxes)
