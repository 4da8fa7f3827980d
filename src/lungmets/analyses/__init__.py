"""The paper's analyses, one module per concern of the book's chapters on them.

Endpoints and covariates, the patient flow, Table 1, tumour response, prognostic factors,
adverse events, the validation cohort and dosimetry. Everything here runs on the SYNTHETIC
reconstructed cohort; no real patient's data are read.
"""
