"""The paper's published numbers, typed and validated: the only door to ``claims.csv``.

Every published number the book uses is read here, never typed again. A printed value keeps its
printed precision, because "7.50" claims more than "7.5": :class:`Claim` turns the text into the
interval of true values that round (half up) to what was printed, so a reproduced number can be
judged a hit or a miss at exactly the precision the authors committed to.

Values are text as printed: decimals (``7.50``), inequalities (``<0.001``, ``≥60``), spelled-out
counts (``six``, ``twice``; the paper writes some counts in words) and dates (unit ``date``:
``October 2011``, ``October 24, 2015``).
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pandas as pd

from lungmets.data_errors import IdColumn, cell_location
from lungmets.paths import PUBLISHED_DIR

__all__ = [
    "COLUMNS",
    "MAX_QUOTE_LENGTH",
    "NUMBER_WORDS",
    "SECTIONS",
    "Claim",
    "ClaimsError",
    "claim",
    "claims_frame",
    "load_claims",
    "value",
]

COLUMNS: tuple[str, ...] = (
    "id", "section", "quantity", "group", "value", "unit", "source", "quote",
)
SECTIONS: frozenset[str] = frozenset(
    {"cohort", "response", "survival", "prognostic", "adverse_events", "validation", "dosimetry",
     "methods"}
)
MAX_QUOTE_LENGTH = 120
NUMBER_WORDS: dict[str, int] = {
    "none": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "once": 1, "twice": 2,
}
"""Counts the paper spells out ("six patients", "twice daily"); exact integers."""


_DEFAULT_PATH: Path = PUBLISHED_DIR / "claims.csv"
_RELATIONS: dict[str, str] = {"<=": "<=", ">=": ">=", "≤": "<=", "≥": ">=", "<": "<", ">": ">"}
_NUMBER = re.compile(r"(?P<rel><=|>=|≤|≥|<|>)?(?P<num>\d+(?:\.(?P<frac>\d+))?)")
_DATE_FORMATS: tuple[str, ...] = ("%B %d, %Y", "%B %Y")


class ClaimsError(ValueError):
    """A malformed claims file; the message names the file, the CSV line and the column."""


def _parse_date(text: str) -> dt.date:
    """Dates as printed; a month without a day means the first of that month."""
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date like 'October 2011' or 'October 24, 2015'")


@dataclass(frozen=True)
class Claim:
    """One printing of one published number, with the interval its printed digits stand for."""

    id: str
    section: str
    quantity: str
    group: str
    value: str
    unit: str
    source: str
    quote: str
    number: float | None = field(init=False)
    relation: str = field(init=False)
    decimals: int = field(init=False)
    lower: float = field(init=False)
    upper: float = field(init=False)
    date: dt.date | None = field(init=False)

    def __post_init__(self) -> None:
        text = self.value.strip()
        number: float | None
        date: dt.date | None = None
        if self.unit == "date":
            date, number, relation, decimals = _parse_date(text), None, "=", 0
            lower = upper = math.nan
        elif text.lower() in NUMBER_WORDS:
            number, relation, decimals = float(NUMBER_WORDS[text.lower()]), "=", 0
            lower, upper = self._bounds(Decimal(NUMBER_WORDS[text.lower()]), relation, 0)
        else:
            match = _NUMBER.fullmatch(text)
            if match is None:
                raise ValueError(f"{self.value!r} is not a number")
            relation = _RELATIONS[match["rel"]] if match["rel"] else "="
            decimals = len(match["frac"] or "")
            exact = Decimal(match["num"])
            number = float(exact)
            lower, upper = self._bounds(exact, relation, decimals)
        for name, attr in (("number", number), ("relation", relation), ("decimals", decimals),
                           ("lower", lower), ("upper", upper), ("date", date)):
            object.__setattr__(self, name, attr)

    @staticmethod
    def _bounds(exact: Decimal, relation: str, decimals: int) -> tuple[float, float]:
        """Half-open rounding interval for '='; the open or closed ray for inequalities."""
        if relation == "=":
            half = Decimal(5).scaleb(-(decimals + 1))
            return float(exact - half), float(exact + half)
        if relation in ("<", "<="):
            return -math.inf, float(exact)
        return float(exact), math.inf

    def _require_number(self) -> float:
        if self.number is None:
            raise TypeError(f"claim {self.id!r} is a date ({self.value}); compare .date instead")
        return self.number

    def matches(self, x: float) -> bool:
        """True when ``x`` reproduces the printed value at its printed precision."""
        self._require_number()
        if self.relation == "=":
            return self.lower <= x < self.upper
        return {
            "<": x < self.upper,
            "<=": x <= self.upper,
            ">": x > self.lower,
            ">=": x >= self.lower,
        }[self.relation]

    def distance(self, x: float) -> float:
        """How far ``x`` lies from the printed interval (0 when it matches)."""
        if self.matches(x):
            return 0.0
        return self.lower - x if x < self.lower else x - self.upper

    def __float__(self) -> float:
        return self._require_number()

    @property
    def label(self) -> str:
        """What the number is in a reader's words, derived from quantity, unit and group
        ("Median PFS (months), HT only"): tables show it instead of the id."""
        return _label(self)

    @property
    def group_label(self) -> str:
        """Whom the number describes, in words ("HT only"; empty for the whole cohort)."""
        return _group_text(self.group)


def _fail(path: Path, line: int, column: str, message: str) -> ClaimsError:
    return ClaimsError(f"{cell_location(path.name, line, column)}: {message}")


def _read(path: Path) -> dict[str, Claim]:
    """Parse and validate; errors carry the CSV line number (header = line 1)."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise _fail(path, 1, "id", "the file is empty (no header)")
        header = [name.strip() for name in header]
        for column in COLUMNS:
            if column not in header:
                raise _fail(path, 1, column, "required column is missing from the header")
        index = {column: header.index(column) for column in COLUMNS}
        claims: dict[str, Claim] = {}
        ids = IdColumn(path.name, "id", ClaimsError)
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            record: dict[str, str] = {}
            for column in COLUMNS:
                position = index[column]
                cell = cells[position].strip() if position < len(cells) else ""
                if not cell:
                    raise _fail(path, line, column, "empty cell")
                record[column] = cell
            claim_id = ids.add(record["id"], line)
            if record["section"] not in SECTIONS:
                raise _fail(path, line, "section",
                            f"{record['section']!r} is not one of {sorted(SECTIONS)}")
            quote = record["quote"]
            if len(quote) > MAX_QUOTE_LENGTH:
                raise _fail(path, line, "quote",
                            f"{len(quote)} characters, more than {MAX_QUOTE_LENGTH}")
            if quote != " ".join(quote.split()):
                raise _fail(path, line, "quote", "whitespace is not normalised (single spaces)")
            try:
                parsed = Claim(**record)
            except ValueError as exc:
                raise _fail(path, line, "value", str(exc)) from None
            claims[claim_id] = parsed
    return claims


@lru_cache(maxsize=1)
def _load_default() -> dict[str, Claim]:
    return _read(_DEFAULT_PATH)


def load_claims(path: Path | None = None) -> dict[str, Claim]:
    """All claims by id, in file order (the default catalogue is read once per process)."""
    if path is None or Path(path).resolve() == _DEFAULT_PATH.resolve():
        return dict(_load_default())
    return _read(Path(path))


def claim(id: str) -> Claim:
    """One claim of the default catalogue; a typo gets the closest ids as suggestions."""
    claims = _load_default()
    try:
        return claims[id]
    except KeyError:
        close = difflib.get_close_matches(id, list(claims), n=5, cutoff=0.6)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise KeyError(f"no claim {id!r} in {_DEFAULT_PATH.name}{hint}") from None


def value(id: str) -> float:
    """The printed number of one claim as a float (dates raise TypeError)."""
    return float(claim(id))


def claims_frame() -> pd.DataFrame:
    """One row per claim with its parsed columns, for tables and the audit."""
    claims = _load_default().values()
    columns = [*COLUMNS, "number", "relation", "decimals", "lower", "upper", "date"]
    return pd.DataFrame(
        [[getattr(item, column) for column in columns] for item in claims], columns=columns
    )


# --------------------------------------------------------------------------- reader labels
# A claim's label is derived from its quantity, group and unit, so a table can name a number
# the way a clinician reads it ("Median PFS (months), HT only") instead of by its id.

_ENDPOINTS: dict[str, str] = {
    "pfs": "PFS", "os": "OS", "pmfi": "PmFI", "pdr": "PDR", "followup": "follow-up",
    "sorafenib_days": "time on sorafenib",
}
_STATISTICS: dict[str, str] = {
    "median": "median {e}",
    "median_se": "SE of the median {e}",
    "median_ci_lower": "lower confidence limit of the median {e}",
    "median_ci_upper": "upper confidence limit of the median {e}",
    "median_ci_level": "confidence level of the median {e}'s interval",
    "median_min": "shortest median {e}",
    "median_max": "longest median {e}",
    "min": "shortest {e}",
    "max": "longest {e}",
    "logrank_p": "log-rank p of {e}",
    "mv_hr": "multivariable hazard ratio of {e}",
    "mv_ci_lower": "lower confidence limit of the multivariable hazard ratio of {e}",
    "mv_ci_upper": "upper confidence limit of the multivariable hazard ratio of {e}",
    "mv_ci_level": "confidence level of the multivariable hazard ratio of {e}",
    "mv_p": "multivariable p of {e}",
}
_STATISTIC = re.compile(
    rf"(?P<e>{'|'.join(_ENDPOINTS)})_(?:rate_(?P<months>\d+)m|(?P<stat>{'|'.join(_STATISTICS)}))"
)
_RESPONSES: dict[str, str] = {
    "cr": "complete response", "pr": "partial response", "sd": "stable disease",
    "pd": "progressive disease",
}
_RESPONSE = re.compile(r"(?P<kind>n|pct)_(?P<lesion>lesion_)?response_(?P<r>cr|pr|sd|pd)")
_EVENTS: dict[str, str] = {
    "ae_total": "adverse events, Table 2 total", "anemia": "anaemia", "anorexia": "anorexia",
    "ast_alt": "AST/ALT increased", "bone_marrow_suppression": "bone marrow suppression",
    "diarrhoea": "diarrhoea", "esophagitis": "radiation oesophagitis",
    "hfsr": "hand-foot skin reaction", "hypertension": "hypertension",
    "leukocytopenia": "leukocytopenia", "pneumonitis": "radiation pneumonitis",
    "radiation_ae": "radiation-related adverse events", "thrombocytopenia": "thrombocytopenia",
}
_QUANTITIES: dict[str, str] = {
    "n": "patients", "pct": "patients", "n_total": "patients in the cohort",
    "n_deaths": "deaths", "pct_deaths": "deaths", "n_lesions": "lung metastases treated",
    "pct_orr": "objective response rate", "pct_lesion_orr": "objective response rate of lesions",
    "n_adrenal_mets": "patients with adrenal metastases",
    "n_bone_mets": "patients with bone metastases",
    "n_bone_mets_ribs": "patients with rib metastases",
    "n_bone_mets_scapula": "patients with scapular metastases",
    "n_rfa_during_rt": "liver tumours treated by RFA during radiotherapy",
    "n_tace_during_rt": "liver tumours treated by TACE during radiotherapy",
    "n_rfa_tace_during_rt": "liver tumours treated by RFA and TACE during radiotherapy",
    "rfa_sessions_during_rt": "RFA sessions during radiotherapy",
    "n_ht_discontinued": "patients who stopped HT early",
    "n_isocenters": "isocentres of the plan",
    "n_radiologists_diagnosis": "radiologists confirming the diagnosis",
    "n_radiologists_response": "radiologists assessing response",
    "n_respiratory_phases": "respiratory phases of the planning CT",
    "n_treatment_groups": "treatment groups", "n_val_groups": "validation groups",
    "max_ae_grade": "highest adverse-event grade",
    "radiation_ae_grade_min": "lowest grade of radiation complications",
    "radiation_ae_grade_max": "highest grade of radiation complications",
    "afp_cutoff": "AFP cut-off", "age_cutoff": "age cut-off",
    "lesions_cutoff": "cut-off for the number of lung metastases",
    "maxsize_cutoff": "cut-off for the largest lesion", "pdr_cutoff": "PDR cut-off",
    "pmfi_cutoff": "PmFI cut-off", "dvh_lesions_cutoff": "number of lesions in the dose comparison",
    "lung_tolerance_lesions_cutoff": "number of lesions still within lung tolerance",
    "ecog_level": "ECOG level", "ecog_level_min": "lowest ECOG level",
    "ecog_level_max": "highest ECOG level", "ecog_min": "lowest ECOG status admitted",
    "ecog_max": "highest ECOG status admitted",
    "max_diameter_inclusion": "inclusion limit on the longest tumour diameter",
    "max_lesions_inclusion": "inclusion limit on the number of lung metastases",
    "childpugh_recovery_weeks": "time to return to Child-Pugh A",
    "ct_before_rt": "CT before radiotherapy", "ct_after_rt": "CT after radiotherapy",
    "ct_dimensions": "dimensions of the planning CT", "ct_slice_thickness": "CT slice thickness",
    "lab_tests_per_week": "blood tests a week", "followup_interval": "interval between visits",
    "last_followup_date": "date of the last follow-up", "study_start": "start of the study",
    "study_end": "end of the study", "period_start": "start of data collection",
    "period_end": "end of data collection",
    "rate_12m_horizon": "landmark of the first survival rates",
    "rate_24m_horizon": "landmark of the second survival rates",
    "dose_total_gy": "total radiation dose", "dose_max_gy": "highest radiation dose",
    "fractions_min": "fewest fractions", "fractions_max": "most fractions",
    "lung_v20_dose": "dose defining lung V20", "lung_v20_limit_pct": "limit on lung V20",
    "lung_v20_pct": "lung V20", "lung_v30_pct": "lung V30",
    "ptv_margin": "PTV margin", "ptv_dose_min_pct": "lowest dose to the PTV",
    "ptv_dose_max_pct": "highest dose to the PTV", "ptv_hotspot_pct": "PTV hot-spot limit",
    "sorafenib_dose_daily": "daily sorafenib dose",
    "sorafenib_dose_per_intake": "sorafenib dose per intake",
    "sorafenib_intakes_per_day": "sorafenib intakes a day",
    "treatment_weeks_min": "shortest treatment", "treatment_weeks_max": "longest treatment",
    "recist_pr_reduction_pct": "shrinkage defining partial response",
    "recist_pd_increase_pct": "growth defining progressive disease",
    "recist_sd_reduction_pct": "largest shrinkage still stable disease",
    "recist_sd_increase_pct": "largest growth still stable disease",
    "significance_threshold": "significance level", "mv_ci_level": "confidence level of Table 1",
    "ctcae_version": "CTCAE version", "spss_version": "SPSS version",
    "pct_pulmonary_mets": "patients with HCC who develop lung metastases",
}
_UNITS: dict[str, str] = {
    "n": "n", "lesions": "n", "%": "%", "months": "months", "days": "days", "weeks": "weeks",
    "years": "years", "cm": "cm", "mm": "mm", "Gy": "Gy", "mg": "mg", "mg/day": "mg/day",
}
"""Units a label names in parentheses; the others are in the label's words (p, grade, date).
A count of lesions is "(n)" only on a count quantity: a cut-off in lesions reads without it."""

_FACTORS: dict[str, str] = {
    "afp": "AFP", "age": "age", "childpugh": "Child-Pugh class", "ecog": "ECOG",
    "hepatitis": "viral hepatitis", "intrahepatic": "intrahepatic tumour status",
    "lesions": "number of lung metastases", "livertx": "treatment of the primary tumour",
    "maxsize": "largest lesion size", "othermets": "other metastases", "pdr": "PDR",
    "pmfi": "PmFI", "sex": "sex", "sorafenib": "sorafenib",
}
_CUTS: dict[str, str] = {
    "age": "age {rel} {n} years", "afp": "AFP {rel} {n}", "lesions": "{rel} {n} lung metastases",
    "maxsize": "largest lesion {rel} {n} cm", "pdr": "PDR {rel} {n} months",
    "pmfi": "PmFI {rel} {n} months", "dose": "{n} mg/day group",
}
_CUT = re.compile(r"(?P<factor>[a-z]+)_(?P<rel>ge|gt|le|lt|)(?P<n>\d+)")
_REL_SIGNS: dict[str, str] = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<", "": "="}
_GROUPS: dict[str, str] = {
    "all": "", "sorafenib_yes": "HT + sorafenib", "sorafenib_no": "HT only",
    "sex_male": "men", "sex_female": "women", "hepatitis_present": "viral hepatitis",
    "hepatitis_absent": "no viral hepatitis", "intrahepatic_active": "active intrahepatic tumour",
    "intrahepatic_inactive": "inactive intrahepatic tumour", "childpugh_a": "Child-Pugh A",
    "childpugh_b": "Child-Pugh B", "othermets_yes": "other metastases",
    "othermets_no": "no other metastases", "livertx_resection": "primary tumour resected",
    "livertx_tace": "primary tumour treated by TACE",
    "livertx_transplantation": "liver transplantation", "ecog_0_1": "ECOG 0-1",
    "ecog_2": "ECOG 2", "val_co": "validation group Co (HT + sorafenib)",
    "val_rt": "validation group Rt (HT only)", "val_s": "validation group S (sorafenib only)",
    "val_co_rt": "validation groups Co and Rt", "val_rt_vs_co": "validation, Rt vs Co",
    "val_rt_vs_s": "validation, Rt vs S", "val_s_vs_co": "validation, S vs Co",
    "previous_study": "the authors' earlier 3D-CRT study",
    "example_patient": "the example patient of the dose figure",
    "literature_kitano": "an earlier study (Kitano et al.)",
    "literature_hcc": "the literature on HCC",
    "literature_brain_hemorrhage": "the literature on brain haemorrhage",
}


def _group_text(group: str) -> str:
    """The group in words; a bare factor name (log-rank and Cox claims) reads 'by <factor>'."""
    if group in _GROUPS:
        return _GROUPS[group]
    if group in _FACTORS:
        return f"by {_FACTORS[group]}"
    cut = _CUT.fullmatch(group)
    if cut is None or cut["factor"] not in _CUTS:
        raise KeyError(f"no words for the group {group!r}")
    return _CUTS[cut["factor"]].format(rel=_REL_SIGNS[cut["rel"]], n=cut["n"])


def _quantity_text(quantity: str) -> str:
    """The quantity in words, from its parts (endpoint + statistic, response, event) or a name."""
    if quantity in _QUANTITIES:
        return _QUANTITIES[quantity]
    if match := _STATISTIC.fullmatch(quantity):
        endpoint = _ENDPOINTS[match["e"]]
        if match["months"]:
            return f"{endpoint} rate at {match['months']} months"
        return _STATISTICS[match["stat"]].format(e=endpoint)
    if match := _RESPONSE.fullmatch(quantity):
        who = "lesions" if match["lesion"] else "patients"
        return f"{who} with {_RESPONSES[match['r']]}"
    if quantity.startswith("n_") and quantity[2:] in _EVENTS:
        return _EVENTS[quantity[2:]]
    raise KeyError(f"no words for the quantity {quantity!r}")


def _label(claim: Claim) -> str:
    """'Median PFS (months), HT only': what the number is, its unit and whom it describes."""
    text = _quantity_text(claim.quantity)
    text = text[0].upper() + text[1:]
    unit = _UNITS.get(claim.unit)
    if unit and not (claim.unit == "lesions" and not claim.quantity.startswith("n_")):
        text += f" ({unit})"
    group = _group_text(claim.group)
    return f"{text}, {group}" if group else text
