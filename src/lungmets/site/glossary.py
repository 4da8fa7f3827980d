"""The abbreviations the paper and the book use, spelled out once for every page.

A clinician may open any page first, so each page spells out the abbreviations it uses before
their first use: chapters glue :func:`spelled_out` into their overview, and the build test
checks every page against :data:`ABBREVIATIONS`.
"""

from __future__ import annotations

__all__ = ["ABBREVIATIONS", "spelled_out"]

ABBREVIATIONS: dict[str, str] = {
    "3D-CRT": "three-dimensional conformal radiotherapy",
    "4D-CT": "four-dimensional computed tomography",
    "AE": "adverse event",
    "AFP": "serum alpha-fetoprotein",
    "CI": "confidence interval",
    "CR": "complete response",
    "CT": "computed tomography",
    "CTCAE": "Common Terminology Criteria for Adverse Events",
    "DVH": "dose-volume histogram",
    "ECOG": "Eastern Cooperative Oncology Group performance status",
    "HCC": "hepatocellular carcinoma",
    "HFSR": "hand-foot skin reaction",
    "HR": "hazard ratio",
    "HT": "helical tomotherapy",
    "ORR": "objective response rate",
    "OS": "overall survival",
    "PD": "progressive disease",
    "PDR": "interval from the detection of the lung metastases to radiotherapy",
    "PFS": "progression-free survival",
    "PmFI": "pulmonary metastases-free interval, from the first treatment of the liver tumour "
            "to the detection of the lung metastases",
    "PR": "partial response",
    "PTV": "planning target volume",
    "RECIST": "Response Evaluation Criteria in Solid Tumours",
    "RFA": "radiofrequency ablation",
    "RMST": "restricted mean survival time",
    "RT": "radiotherapy",
    "SD": "stable disease",
    "SE": "standard error",
    "SMD": "standardised mean difference",
    "TACE": "transcatheter arterial chemoembolisation",
}
"""Abbreviation -> its words, as a page spells it out."""


def spelled_out(*abbreviations: str) -> str:
    """'PFS, progression-free survival; OS, overall survival': the line a page opens with."""
    unknown = [a for a in abbreviations if a not in ABBREVIATIONS]
    if unknown:
        raise KeyError(f"no words for {unknown} in lungmets.site.glossary.ABBREVIATIONS")
    return "; ".join(f"{a}, {ABBREVIATIONS[a]}" for a in abbreviations)
