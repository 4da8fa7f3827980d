"""Reproducible reanalysis of Sun et al. (Oncotarget 2016) on a synthetic reconstructed cohort.

The paper published only aggregates; every patient-level record this package produces or reads
is a synthetic reconstruction calibrated to those aggregates and describes no real patient.
"""

__version__ = "0.1.0"
