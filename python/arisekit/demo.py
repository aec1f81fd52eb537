"""The built-in demo: a synthetic polycrystal mapped by SPM plus a few global classifications."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from arisekit._json import write_json

#: Grains of the demo polycrystal (prototype class names).
DEMO_GRAINS = ("fcc", "bcc", "hcp", "diamond")


def _global_examples():
    """Structures classified one by one in the demo: (label, ase.Atoms)."""
    from arisekit import prototypes

    rng = np.random.default_rng(7)
    fcc = prototypes.build("fcc")
    bcc = prototypes.displace(prototypes.supercells("bcc")[0], 0.04, rng)
    nacl = prototypes.remove_atoms(prototypes.supercells("NaCl")[0], 0.20, rng)
    return [
        ("perfect fcc (periodic)", fcc),
        ("bcc, 4 % displacements", bcc),
        ("NaCl, 20 % atoms missing", nacl),
    ]


def run_demo(
    out: str | Path = "arisekit_demo",
    *,
    model=None,
    params=None,
    size=(64.0, 64.0, 12.0),
    seed: int = 0,
    species: str | None = "Cu",
    **overrides,
) -> dict:
    """Build a 4-grain slab, map it, classify example structures; write files to ``out``.

    ``params``: the :class:`arisekit.spm.SPMParameters` of the map (default: 12 Å boxes, 2 Å stride, 50
    samples per box, fast box descriptors, seeded with ``seed``); ``overrides`` set its fields one by one
    (``n_samples=20``, ``box_descriptors="exact"``). Returns the summary dict (also written to
    ``out/summary.json``). Lengths in Å.
    """
    from ase.io import write

    from arisekit.model import classify, resolve_model
    from arisekit.samples import polycrystal
    from arisekit.spm import SPMParameters, plot_map, plot_overview, project_to_atoms, spm

    if params is None:
        params = SPMParameters(box_size=12.0, stride=2.0, n_samples=50, seed=seed)
    params = SPMParameters.from_kwargs(params, **overrides)

    t0 = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    clf = resolve_model(model)
    grains = [g for g in DEMO_GRAINS if g in clf.classes_]
    sample = polycrystal(grains, size, geometry="slab", seed=seed, species=species)
    write(out / "polycrystal.xyz", sample)
    result = spm(sample, params, model=clf)
    result.save(out / "spm.h5")
    plot_overview(result, classes=grains, path=out / "spm_maps.png")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 4))
    plot_map(result, "mutual_information", ax=ax)
    fig.savefig(out / "mutual_information.png", dpi=120)
    plt.close(fig)

    per_atom = project_to_atoms(result, sample)
    truth = np.asarray(sample.info["class_names"])[sample.arrays["class_label"]]
    names = np.asarray(result.class_names + ["none"])[per_atom["prediction"]]
    interior = sample.arrays["boundary_distance"] >= params.box_size
    accuracy = float(np.mean(names[interior] == truth[interior])) if interior.any() else float("nan")
    examples = classify([a for _, a in _global_examples()], n_samples=1000, model=clf)
    summary = {
        "sample": {"atoms": len(sample), "grains": grains, "size_angstrom": list(size)},
        "spm": {
            "boxes": result.n_boxes,
            "grid": list(result.shape),
            "box_descriptors": params.box_descriptors,
            "box_size": params.box_size,
            "stride": params.stride,
            "class_fractions": result.class_fractions(),
            "median_mutual_information": float(np.nanmedian(result.mutual_information)),
        },
        "grain_interior_atom_accuracy": accuracy,
        "global_examples": [
            {"structure": label, **c.to_dict(top=3)} for (label, _), c in zip(_global_examples(), examples)
        ],
        "seconds": round(time.perf_counter() - t0, 1),
    }
    for item in summary["global_examples"]:
        item.pop("class_info", None)
    write_json(out / "summary.json", summary, indent=2)
    return summary
