"""Readers and writers: ase.io frames (LAMMPS dump, extended XYZ), tomography point clouds, STEM positions."""

from arisekit.io._table import check_file
from arisekit.io.frames import read_frames
from arisekit.io.point_cloud import read_point_cloud, read_stem_positions, write_point_cloud

__all__ = ["check_file", "read_frames", "read_point_cloud", "read_stem_positions", "write_point_cloud"]
