"""Bundled public data sets, loaded as pandas frames (shared by docs and tests)."""

from tenure.datasets.cdnow import load_cdnow_master, load_cdnow_sample
from tenure.datasets.churn_simulation import simulated_customers

__all__ = ["load_cdnow_master", "load_cdnow_sample", "simulated_customers"]
