"""Training and benchmark datasets: plans over the prototype library and their descriptors (HDF5)."""

from arisekit.dataset.builder import build_dataset, compute_job
from arisekit.dataset.plan import CENTRAL, DatasetPlan, Job, SoapSetting

__all__ = ["CENTRAL", "DatasetPlan", "Job", "SoapSetting", "build_dataset", "compute_job"]
