"""Synthetic samples with ground truth: Voronoi polycrystals, a Ni-superalloy precipitate model and FePt-like
nanoparticles with AET-like measurement errors (annealing series)."""

from arisekit.samples._nanoparticle import DEFAULT_ORDERS as ANNEALING_ORDERS
from arisekit.samples._nanoparticle import DEFAULT_REGIONS as NANOPARTICLE_REGIONS
from arisekit.samples._nanoparticle import DEFAULT_SHELLS as ANNEALING_SHELLS
from arisekit.samples._nanoparticle import DEFAULT_SUBDOMAINS as ANNEALING_SUBDOMAINS
from arisekit.samples._nanoparticle import (
    ParticleState,
    ParticleTemplate,
    annealing_series,
    fept_nanoparticle,
    particle_template,
)
from arisekit.samples._polycrystal import DEFAULT_D_NN, PolycrystalOptions, distance_to_boundary, polycrystal
from arisekit.samples._superalloy import superalloy
from arisekit.samples.aet import aet_errors, read_truth, write_aet
from arisekit.samples.voronoi import boundary_distance, surface_distance

__all__ = [
    "ANNEALING_ORDERS",
    "ANNEALING_SHELLS",
    "ANNEALING_SUBDOMAINS",
    "DEFAULT_D_NN",
    "NANOPARTICLE_REGIONS",
    "ParticleState",
    "ParticleTemplate",
    "PolycrystalOptions",
    "aet_errors",
    "annealing_series",
    "boundary_distance",
    "distance_to_boundary",
    "fept_nanoparticle",
    "particle_template",
    "polycrystal",
    "read_truth",
    "superalloy",
    "surface_distance",
    "write_aet",
]
