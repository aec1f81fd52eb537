"""Build the structure of a dataset job from the prototype library (seeded defects)."""

from __future__ import annotations

import numpy as np

from arisekit.dataset.plan import Job


def structure_kinds(class_name: str) -> list[str]:
    """Structure kinds available for a class: the periodic cell, its open supercells and (except for
    nanotubes, which the paper treats as open tubes only) the same supercells with periodic boundaries."""
    from arisekit import prototypes

    n = len(prototypes.supercells(class_name))
    kinds = [f"supercell{k}" for k in range(n)]
    if prototypes.get(class_name).category != "nanotube":
        kinds = ["periodic", *kinds, *(f"periodic_supercell{k}" for k in range(n))]
    return kinds


def build_job_structure(job: Job, base_seed: int):
    """The (possibly defective) structure of ``job``: displacements of ±δ·d_NN first (d_NN of the
    pristine structure), then a fraction η of atoms removed. Deterministic for ``base_seed``."""
    from arisekit import prototypes

    if job.kind == "periodic":
        atoms = prototypes.build(job.class_name)
    elif job.kind.startswith("supercell"):
        atoms = prototypes.supercells(job.class_name)[int(job.kind[len("supercell") :])]
    elif job.kind.startswith("periodic_supercell"):
        atoms = prototypes.supercells(job.class_name)[int(job.kind[len("periodic_supercell") :])]
        atoms.pbc = prototypes.build(job.class_name).pbc
    else:
        raise ValueError(f"unknown structure kind {job.kind!r}")
    rng = np.random.default_rng(job.seed(base_seed))
    if job.displacement:
        atoms = prototypes.displace(atoms, job.displacement, rng)
    if job.missing:
        atoms = prototypes.remove_atoms(atoms, job.missing, rng)
    return atoms
