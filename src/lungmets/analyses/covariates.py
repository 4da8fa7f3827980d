"""Baseline covariates, lesions and adverse events of the SYNTHETIC cohort, exact to the paper.

Why this module exists: the paper prints only margins (Table 3), a few joint facts (who is in
the validation groups, sorafenib doses, liver treatments during radiotherapy, the sites of other
metastases) and lesion- and patient-level response counts. Everything here is built so that
every one of those counts holds *by construction*: the survival calibration then swaps labels
between patients (:mod:`lungmets.synthetic.moves`, :mod:`lungmets.synthetic.polish`), which
preserves margins, but never has to repair a count. All numbers come from
:mod:`lungmets.claims`; continuous values that the paper only dichotomised or summarised (age,
AFP, intervals, sizes, sorafenib days) are
**assumptions**, drawn from a seeded generator so that they respect every printed count,
median, standard error and range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lungmets.claims import claim, load_claims, value
from lungmets.stats.survival_stats import km_median_spss

__all__ = [
    "AE_EVENTS",
    "BINARY_FACTORS",
    "FACTOR_LEVELS",
    "LesionRule",
    "adverse_events",
    "assign_lesion_counts",
    "classify_lesion",
    "classify_patient",
    "factor_margins",
    "initial_labels",
    "joint_sorafenib_intrahepatic",
    "lesions_table",
    "paper_model",
    "spread_values",
]

FACTOR_LEVELS: dict[str, tuple[str, ...]] = {
    # factor key -> Table 3 level keys; the SECOND level is coded 1 (the "exposed" level).
    "sex": ("sex_female", "sex_male"),
    "age": ("age_lt60", "age_ge60"),
    "pdr": ("pdr_lt6", "pdr_ge6"),
    "pmfi": ("pmfi_lt12", "pmfi_ge12"),
    "afp": ("afp_lt20", "afp_ge20"),
    "hepatitis": ("hepatitis_absent", "hepatitis_present"),
    "lesions": ("lesions_le3", "lesions_gt3"),
    "maxsize": ("maxsize_le3", "maxsize_gt3"),
    "intrahepatic": ("intrahepatic_inactive", "intrahepatic_active"),
    "livertx": ("livertx_resection", "livertx_tace", "livertx_transplantation"),
    "sorafenib": ("sorafenib_no", "sorafenib_yes"),
    "ecog": ("ecog_0_1", "ecog_2"),
    "othermets": ("othermets_no", "othermets_yes"),
}
"""The thirteen Table 1/Table 3 factors (claims keys); codes are positions in the tuple."""

BINARY_FACTORS: tuple[str, ...] = tuple(k for k, v in FACTOR_LEVELS.items() if len(v) == 2)


def paper_model(endpoint: str) -> list[str]:
    """Factors in the paper's final Cox model ("pfs" or "os"), in :data:`FACTOR_LEVELS` order,
    read from which Table 1 HR claims exist. Here, beside the factor keys, so the calibration
    can read it without the analysis modules (and their plotting imports)."""
    if endpoint not in ("pfs", "os"):
        raise ValueError(f"endpoint={endpoint!r}: expected 'pfs' or 'os'")
    prefix = f"t1_{endpoint}_mv_hr_"
    factors = [i.removeprefix(prefix) for i in load_claims() if i.startswith(prefix)]
    unknown = [f for f in factors if f not in FACTOR_LEVELS]
    if unknown:
        raise KeyError(f"claims.csv: Table 1 HR claims for unknown factors {unknown}")
    return [f for f in FACTOR_LEVELS if f in factors]

AE_EVENTS: tuple[str, ...] = (
    "esophagitis", "pneumonitis", "ast_alt", "hfsr", "anorexia", "diarrhoea", "hypertension",
    "anemia", "leukocytopenia", "thrombocytopenia",
)
"""Table 2 rows, in printed order (claims keys ``t2_n_<event>_sorafenib_<no|yes>``)."""

_RADIATION = ("esophagitis", "pneumonitis")
_DRUG = ("ast_alt", "hfsr", "anorexia", "diarrhoea", "hypertension")
_MARROW = ("anemia", "leukocytopenia", "thrombocytopenia")


def _n(claim_id: str) -> int:
    """An integer count from the catalogue (fails loudly if the printing is not an integer)."""
    x = value(claim_id)
    if x != int(x):
        raise ValueError(f"claims.csv: {claim_id} = {x} is not a count")
    return int(x)


def factor_margins() -> dict[str, tuple[int, ...]]:
    """Table 3 counts per factor, in :data:`FACTOR_LEVELS` order; checked to sum to the total."""
    total = _n("t3_n_total")
    out: dict[str, tuple[int, ...]] = {}
    for key, levels in FACTOR_LEVELS.items():
        counts = tuple(_n(f"t3_n_{lev}") for lev in levels)
        if sum(counts) != total:
            raise ValueError(f"claims.csv: Table 3 counts of {key} sum to {sum(counts)}, "
                             f"not {total}")
        out[key] = counts
    return out


def joint_sorafenib_intrahepatic() -> dict[tuple[int, int], int]:
    """Patients per (sorafenib yes?, intrahepatic active?) cell.

    The validation groups are the inactive-tumour patients with (Co) and without (Rt)
    sorafenib, so the active cells follow by subtraction from the Table 3 margins.
    """
    co, rt = _n("met_n_val_co"), _n("met_n_val_rt")
    if co + rt != _n("met_n_val_co_rt") or co + rt != _n("t3_n_intrahepatic_inactive"):
        raise ValueError("claims.csv: Co + Rt does not equal the inactive-tumour count")
    yes, no = _n("t3_n_sorafenib_yes"), _n("t3_n_sorafenib_no")
    cells = {(1, 0): co, (0, 0): rt, (1, 1): yes - co, (0, 1): no - rt}
    if min(cells.values()) < 0 or cells[(1, 1)] + cells[(0, 1)] != _n("t3_n_intrahepatic_active"):
        raise ValueError("claims.csv: sorafenib x intrahepatic cells are inconsistent")
    return cells


def initial_labels(rng: np.random.Generator) -> pd.DataFrame:
    """One row per patient, one integer code per factor, every Table 3 margin exact.

    Sorafenib and intrahepatic status are placed jointly (the validation cells); every other
    factor is an independent random permutation of its margin. The calibration later swaps
    codes between patients, which keeps every margin.
    """
    margins = factor_margins()
    n = _n("t3_n_total")
    cells = joint_sorafenib_intrahepatic()
    sor = np.concatenate([np.full(k, s) for (s, _), k in sorted(cells.items())])
    act = np.concatenate([np.full(k, a) for (_, a), k in sorted(cells.items())])
    codes: dict[str, np.ndarray] = {"sorafenib": sor, "intrahepatic": act}
    for key, counts in margins.items():
        if key in codes:
            continue
        codes[key] = rng.permutation(np.repeat(np.arange(len(counts)), counts))
    for key in ("sorafenib", "intrahepatic"):
        got = tuple(np.bincount(codes[key], minlength=2))
        if got != margins[key]:
            raise ValueError(f"joint cells give {key} counts {got}, Table 3 says {margins[key]}")
    frame = pd.DataFrame({k: codes[k] for k in FACTOR_LEVELS})
    if len(frame) != n:
        raise AssertionError("wrong number of patients")
    return frame


def spread_values(
    rng: np.random.Generator,
    *,
    n: int,
    lo: float,
    hi: float,
    median: float,
    se: float,
    se_decimals: int,
    decimals: int,
    threshold: float | None = None,
    n_at_or_above: int | None = None,
) -> np.ndarray:
    """Sorted values with an exact minimum, maximum, Kaplan-Meier median and SPSS SE.

    The paper prints "median ± SE (range)" for intervals and treatment days, so SPSS evidently
    ran a Kaplan-Meier on them with every value an "event". With no censoring the KM median is
    an order statistic and its SE depends only on the gap between the order statistics where Ŝ
    crosses 0.55 and 0.45, so the values are built around those three points; the rest are
    random (seeded) inside the printed range and, if given, on the right side of ``threshold``
    (``n_at_or_above`` values ≥ threshold). If no placement on the value grid reproduces ``se``
    at its printed precision, the closest one is returned (the scorecard reports the miss).
    """
    step = 10.0 ** -decimals
    k_med = math.ceil(n / 2 - 1e-9)  # 1-based order statistic with Ŝ ≤ 0.5
    k_u = math.floor(0.45 * n + 1e-9)  # last with Ŝ ≥ 0.55
    k_l = math.ceil(0.55 * n - 1e-9)  # first with Ŝ ≤ 0.45
    n_below = n - n_at_or_above if n_at_or_above is not None else None
    s_med = (n - k_med) / n
    se_s = math.sqrt(s_med * (1 - s_med) / n)
    density_num = (n - k_u) / n - (n - k_l) / n
    gap = se * density_num / se_s
    want = claim_rounding(se, se_decimals)
    best: tuple[float, np.ndarray] | None = None
    for tries in range(3000):
        g = round((gap + step * ((tries // 2 % 40) * (-1) ** tries)) / step) * step
        share = rng.uniform(0.2, 0.8)
        t_u = round((median - share * g) / step) * step
        t_l = round((t_u + g) / step) * step
        if not (lo < t_u < median < t_l < hi):
            continue
        vals = np.empty(n)
        vals[0], vals[-1] = lo, hi
        vals[k_u - 1], vals[k_med - 1], vals[k_l - 1] = t_u, median, t_l
        ok = True
        for i in range(1, n - 1):
            if i + 1 in (k_u, k_med, k_l):
                continue
            below, above = _segment(i + 1, k_u, k_med, k_l, lo, hi, t_u, median, t_l)
            if threshold is not None and n_below is not None:
                if i + 1 <= n_below:
                    above = min(above, threshold - step)
                else:
                    below = max(below, threshold)
            if below > above:
                ok = False
                break
            vals[i] = round(rng.uniform(below, above) / step) * step
        if not ok:
            continue
        if tries >= 200:  # coarse grids (whole days) may need ties next to an anchor
            for k, v in ((k_u - 1, t_u), (k_u + 1, t_u), (k_l - 1, t_l), (k_l + 1, t_l)):
                if 1 < k < n and rng.random() < 0.3:
                    vals[k - 1] = v
        vals = np.round(np.sort(vals), decimals)
        if threshold is not None and int((vals >= threshold).sum()) != n_at_or_above:
            continue
        summary = km_median_spss(vals, np.ones(n))
        if round(summary.median, decimals) != median or not np.isfinite(summary.se):
            continue
        miss = max(want[0] - summary.se, summary.se - want[1], 0.0)
        if best is None or miss < best[0]:
            best = (miss, vals)
        if miss == 0.0 and summary.se < want[1]:
            break
    if best is None:
        raise ValueError(f"spread_values: no placement reproduces the median {median}")
    return best[1]


def claim_rounding(x: float, decimals: int) -> tuple[float, float]:
    """Half-open interval of numbers that print as ``x`` at ``decimals``."""
    half = 0.5 * 10.0 ** -decimals
    return x - half, x + half


def _segment(pos: int, k_u: int, k_med: int, k_l: int, lo: float, hi: float,
             t_u: float, med: float, t_l: float) -> tuple[float, float]:
    """Open interval an order statistic at 1-based ``pos`` must fall in, given the anchors."""
    anchors = [(1, lo), (k_u, t_u), (k_med, med), (k_l, t_l)]
    below = max(v for k, v in anchors if k < pos)
    nxt = [v for k, v in [*anchors[1:], (10**9, hi)] if k > pos]
    above = min(nxt)
    margin = 1e-6
    return below + margin, above - margin


# --------------------------------------------------------------------------- lesions


@dataclass(frozen=True)
class LesionRule:
    """RECIST-like thresholds read from the catalogue (methods), as fractions of baseline."""

    pr_decrease: float
    pd_increase: float

    @classmethod
    def from_claims(cls) -> LesionRule:
        return cls(value("met_recist_pr_reduction_pct") / 100,
                   value("met_recist_pd_increase_pct") / 100)


def classify_lesion(baseline: float, post: float, rule: LesionRule) -> str:
    """One lesion's call from its own diameter (CR = gone)."""
    return classify_patient([baseline], [post], rule)


def classify_patient(baseline: list[float] | np.ndarray, post: list[float] | np.ndarray,
                     rule: LesionRule) -> str:
    """The paper's patient rule on the sum of maximum diameters.

    CR: every lesion gone; PR: ≥30% decrease; PD: ≥20% increase; SD otherwise (new lesions are
    not part of the synthetic data, so PD comes from growth only).
    """
    b, p = float(np.sum(baseline)), float(np.sum(post))
    if np.all(np.asarray(post) == 0):
        return "CR"
    change = (p - b) / b
    if change <= -rule.pr_decrease + 1e-12:
        return "PR"
    if change >= rule.pd_increase - 1e-12:
        return "PD"
    return "SD"


def assign_lesion_counts(rng: np.random.Generator, lesions_gt3: np.ndarray) -> np.ndarray:
    """Lesions per patient: 1-3 or 4..(limit-1), summing to the paper's 195 exactly."""
    total = _n("res_n_lesions_total")
    if total != _n("met_n_lesions_total"):
        raise ValueError("claims.csv: lesion totals differ between results and methods")
    cut = int(value("t3_lesions_cutoff_all"))
    limit = claim("met_max_lesions_inclusion")
    top = int(limit.number) - 1 if limit.relation == "<" else int(limit.number)
    counts = np.where(lesions_gt3 == 1, rng.integers(cut + 1, top + 1, lesions_gt3.size),
                      rng.integers(1, cut + 1, lesions_gt3.size))
    lo = np.where(lesions_gt3 == 1, cut + 1, 1)
    hi = np.where(lesions_gt3 == 1, top, cut)
    while counts.sum() != total:
        diff = total - counts.sum()
        movable = np.flatnonzero(counts < hi) if diff > 0 else np.flatnonzero(counts > lo)
        if movable.size == 0:
            raise ValueError("lesion total cannot be met within the per-patient limits")
        i = rng.choice(movable)
        counts[i] += 1 if diff > 0 else -1
    return counts


def lesions_table(
    rng: np.random.Generator,
    patient_ids: list[str],
    n_lesions: np.ndarray,
    max_cm: np.ndarray,
    response: np.ndarray,
) -> pd.DataFrame:
    """Lesion-level baseline/post diameters whose calls hit the lesion counts exactly and whose
    sums give each patient its response (so both levels agree by construction).

    Allocation: the CR patient's lesions are all CR, the PD patient's all PD; remaining CR
    lesions go one each to PR patients, remaining PD lesions one each to SD patients, SD lesions
    fill SD patients first, PR lesions take the rest. Post diameters are then drawn inside each
    lesion's category and redrawn until the patient's sum rule gives its response.
    """
    rule = LesionRule.from_claims()
    want = {c: _n(f"res_n_lesion_response_{c.lower()}") for c in ("CR", "PR", "SD", "PD")}
    if sum(want.values()) != int(n_lesions.sum()):
        raise ValueError("lesion response counts do not add up to the lesion total")
    cats: list[list[str]] = [[""] * int(k) for k in n_lesions]
    left = dict(want)
    for resp in ("CR", "PD"):
        for i in np.flatnonzero(response == resp):
            cats[i] = [resp] * int(n_lesions[i])
            left[resp] -= int(n_lesions[i])
    if left["CR"] < 0 or left["PD"] < 0:
        raise ValueError("the CR/PD patients have more lesions than CR/PD lesions exist")

    def give(cat: str, patients: np.ndarray, rounds: int) -> None:
        """Round-robin: one lesion per patient per round, so categories spread evenly."""
        for _ in range(rounds):
            for i in patients:
                if left[cat] == 0:
                    return
                free = [j for j, c in enumerate(cats[i]) if c == ""]
                if free:
                    cats[i][free[0]] = cat
                    left[cat] -= 1

    pr_pat = rng.permutation(np.flatnonzero((response == "PR") & (n_lesions >= 2)))
    sd_pat = rng.permutation(np.flatnonzero((response == "SD") & (n_lesions >= 2)))
    give("CR", pr_pat, 1)
    give("PD", sd_pat, 1)
    give("SD", rng.permutation(np.flatnonzero(response == "SD")), 10)
    give("SD", rng.permutation(np.flatnonzero(response == "PR")), 1)
    give("PR", np.arange(len(cats)), 10)
    if any(left.values()) or any("" in c for c in cats):
        raise ValueError(f"lesion allocation failed, left over: {left}")

    # post/baseline ratio ranges by (patient response, lesion call): inside each call's band,
    # leaning towards the patient's own category so the sum rule agrees.
    ranges = {
        "PR": {"PR": (0.15, 0.55), "SD": (0.75, 1.0), "PD": (1.25, 1.4)},
        "SD": {"PR": (0.5, 0.66), "SD": (0.9, 1.12), "PD": (1.25, 1.4)},
        "PD": {"PD": (1.28, 1.6)},
        "CR": {},
    }
    rows = []
    for i, pid in enumerate(patient_ids):
        base, post, calls = _lesion_diameters(rng, int(n_lesions[i]), float(max_cm[i]), cats[i],
                                              str(response[i]), ranges[str(response[i])], rule)
        if base is None:
            raise ValueError(f"no post diameters give patient {pid} response {response[i]}")
        for j in range(int(n_lesions[i])):
            rows.append((pid, f"{pid}-L{j + 1}", float(base[j]), float(post[j]), calls[j]))
    frame = pd.DataFrame(rows, columns=["patient_id", "lesion_id", "baseline_cm", "post_cm",
                                        "response"])
    return frame.sort_values(["patient_id", "lesion_id"]).reset_index(drop=True)


def _lesion_diameters(rng: np.random.Generator, k: int, max_cm: float, cats: list[str],
                      response: str, ranges: dict[str, tuple[float, float]], rule: LesionRule,
                      ) -> tuple[np.ndarray | None, np.ndarray | None, list[str]]:
    """Baseline and post diameters whose lesion calls are ``cats`` and whose sum gives
    ``response``, or (None, None, []) when none is found.

    Post diameters are drawn up to 2000 times for one draw of the baselines. Some baselines
    admit none (rounding to 0.1 cm leaves no post diameter in a call's band), so the baselines
    are then drawn again, up to 20 times; the first draw is the one earlier versions made, so
    every cohort they could make is unchanged.
    """
    for _ in range(20):
        base = np.round(rng.uniform(0.8, max(0.81, max_cm - 0.1), k), 1)
        base[0] = max_cm
        base = np.minimum(base, max_cm)
        for _ in range(2000):
            post = np.zeros(k)
            for j, c in enumerate(cats):
                if c != "CR":
                    lo_r, hi_r = ranges[c]
                    post[j] = max(0.1, round(base[j] * rng.uniform(lo_r, hi_r), 1))
            calls = [classify_lesion(b, p, rule) for b, p in zip(base, post, strict=True)]
            if calls == cats and classify_patient(base, post, rule) == response:
                return base, post, calls
    return None, None, []


# --------------------------------------------------------------------------- adverse events


def adverse_events(
    rng: np.random.Generator,
    patient_ids: np.ndarray,
    sorafenib: np.ndarray,
    dose_reduced: np.ndarray,
) -> pd.DataFrame:
    """One row per (patient, event), reproducing Table 2 cell by cell and the text.

    Documented choices (assumptions): radiation esophagitis and pneumonitis fall on different
    patients (the text's six and nine patients equal the column sums, which forces it); in the
    sorafenib group every dose-reduced patient (the paper: "because of AEs") has at least one
    drug-related AE and the drug AEs are spread so that one patient has two; in the HT-only
    group one patient has both leukocytopenia and thrombocytopenia (the text's single case of
    bone-marrow suppression). Grades are 1 or 2 (no AE above grade 2).
    """
    max_grade = _n("res_max_ae_grade_all")
    rows: list[tuple[str, str, int]] = []
    for arm, yes in (("no", 0), ("yes", 1)):
        n_of = {ev: _n(f"t2_n_{ev}_sorafenib_{arm}") for ev in AE_EVENTS}
        members = patient_ids[sorafenib == yes]
        reduced = set(patient_ids[(sorafenib == yes) & dose_reduced])
        # radiation AEs go to patients without a dose reduction (so every reduced patient is
        # left for a drug AE); then the rest in random order
        pool = ([p for p in rng.permutation(members) if p not in reduced]
                + [p for p in rng.permutation(members) if p in reduced])
        rad = sum(n_of[e] for e in _RADIATION)
        rad_pat, rest = pool[:rad], pool[rad:]
        for ev in _RADIATION:
            for _ in range(n_of[ev]):
                rows.append((rad_pat.pop(), ev, int(rng.integers(1, max_grade + 1))))
        drug_events = [ev for ev in _DRUG for _ in range(n_of[ev])]
        drug_events = list(rng.permutation(drug_events))
        # dose-reduced patients first, then others; one patient takes two events if needed
        first = [p for p in rest if p in reduced] + [p for p in rest if p not in reduced]
        n_pat = (max(len(reduced), len(drug_events) - 1) if len(drug_events) > 1
                 else len(drug_events))
        takers = first[:n_pat]
        if len(drug_events) < len(reduced) or not reduced <= set(takers):
            raise ValueError("fewer drug AEs than dose-reduced patients")
        got: dict[str, str] = {}
        for j, ev in enumerate(drug_events):
            # an extra event goes to a patient who does not have that event yet
            pid = takers[j] if j < len(takers) else next(p for p in takers if got[p] != ev)
            got.setdefault(pid, ev)
            grade = max_grade if pid in reduced else int(rng.integers(1, max_grade + 1))
            rows.append((pid, ev, grade))
        marrow = [ev for ev in _MARROW for _ in range(n_of[ev])]
        if marrow:
            pid = next(p for p in rest if p not in takers)
            for ev in marrow:
                rows.append((pid, ev, int(rng.integers(1, max_grade + 1))))
    frame = pd.DataFrame(rows, columns=["patient_id", "event", "grade"])
    frame["_order"] = frame["event"].map({e: i for i, e in enumerate(AE_EVENTS)})
    frame = frame.sort_values(["patient_id", "_order"]).drop(columns="_order")
    return frame.reset_index(drop=True)
