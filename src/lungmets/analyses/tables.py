"""Descriptive tables: a "Table 1" by group, the paper's Table 3 levels, and follow-up.

``table_one`` follows the layout of the R/Python ``tableone`` packages (n (%) for categorical
variables, median [Q1, Q3] or mean (SD) for continuous ones, overall and per group, a test and a
standardised mean difference per variable) without depending on them, so that every choice is
visible here and tested: the test is named on every row, and the rule that picks Pearson's
chi-square or Fisher's exact test (any expected count below 5) is the one the paper states.

Limitation: rows with missing values are rejected rather than counted; the synthetic cohort has
none, and a silent "Missing" row would hide a reconstruction error.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from lungmets.analyses.prognostic import FACTORS, factor_groups
from lungmets.claims import claim
from lungmets.stats.survival_stats import km_median_spss

__all__ = [
    "CHI_SQUARE",
    "CONTINUOUS_LABELS",
    "FISHER",
    "TABLE3_LEVELS",
    "CategoricalTest",
    "TestResult",
    "categorical_test",
    "compare_table3",
    "continuous_test",
    "expected_counts",
    "fisher_freeman_halton",
    "followup_table",
    "smd_binary",
    "smd_categorical",
    "smd_continuous",
    "table3_factors",
    "table3_levels",
    "table_one",
    "table_one_by_sorafenib",
]

CHI_SQUARE = "Pearson chi-square"
FISHER = "Fisher exact"
MIN_EXPECTED = 5.0
"""The textbook (Cochran) rule: Fisher's exact test when any expected count is below 5."""

CategoricalTest = Literal["auto", "chi-square", "fisher"]

# Enumerating every table with the observed margins is exact but grows fast; beyond this many
# tables the caller should use a Monte Carlo test knowingly rather than wait.
_MAX_TABLES = 2_000_000


@dataclass(frozen=True)
class TestResult:
    """A test's name, p-value and the smallest expected count that decided it."""

    __test__ = False  # not a pytest test class despite the name

    test: str
    p_value: float
    min_expected: float = math.nan


# --------------------------------------------------------------------------- tests


def _as_table(table: ArrayLike) -> NDArray[np.int64]:
    array = np.asarray(table)
    if array.ndim != 2 or min(array.shape) < 2:
        raise ValueError(f"contingency table must be 2-D, at least 2x2, got shape {array.shape}")
    if not np.all(np.isfinite(array)) or np.any(array < 0) or np.any(array != np.round(array)):
        raise ValueError("contingency table must hold non-negative whole counts")
    counts = array.astype(np.int64)
    if np.any(counts.sum(axis=0) == 0) or np.any(counts.sum(axis=1) == 0):
        raise ValueError(f"contingency table has an empty row or column: {counts.tolist()}")
    return counts


def expected_counts(table: ArrayLike) -> NDArray[np.float64]:
    """Counts expected under independence, row total x column total / n."""
    counts = _as_table(table)
    return np.outer(counts.sum(axis=1), counts.sum(axis=0)) / counts.sum()


def _log_table_probability(counts: NDArray[np.int64], log_margins: float) -> float:
    return log_margins - float(np.sum([math.lgamma(c + 1) for c in counts.ravel()]))


def _tables_with_margins(
    rows: NDArray[np.int64], cols: NDArray[np.int64]
) -> list[NDArray[np.int64]]:
    """Every table of non-negative counts with these row and column sums (column by column)."""
    found: list[NDArray[np.int64]] = []
    n_rows = rows.size

    def compositions(total: int, caps: NDArray[np.int64]) -> list[list[int]]:
        if caps.size == 1:
            return [[total]] if total <= caps[0] else []
        out: list[list[int]] = []
        rest_cap = int(caps[1:].sum())
        for first in range(max(0, total - rest_cap), min(total, int(caps[0])) + 1):
            out += [[first, *tail] for tail in compositions(total - first, caps[1:])]
        return out

    def fill(j: int, remaining: NDArray[np.int64], columns: list[list[int]]) -> None:
        if len(found) > _MAX_TABLES:
            raise ValueError(
                f"Fisher exact test: more than {_MAX_TABLES} tables share these margins; "
                "use a Monte Carlo test instead"
            )
        if j == cols.size - 1:
            found.append(np.array([*columns, list(remaining)]).T.reshape(n_rows, -1))
            return
        for column in compositions(int(cols[j]), remaining):
            fill(j + 1, remaining - np.array(column), [*columns, column])

    fill(0, rows.copy(), [])
    return found


def fisher_freeman_halton(table: ArrayLike) -> float:
    """Two-sided exact p-value of independence for an r x c table (Freeman-Halton).

    Sums the probabilities of all tables with the observed margins that are no more likely
    than the observed one (relative tolerance 1e-7, as R's ``fisher.test``); for a 2 x 2 table
    this equals ``scipy.stats.fisher_exact``. scipy's own r x c version is Monte Carlo, hence
    not reproducible digit for digit; this enumeration is.
    """
    counts = _as_table(table)
    rows, cols = counts.sum(axis=1), counts.sum(axis=0)
    n = int(counts.sum())
    log_margins = (
        sum(math.lgamma(r + 1) for r in rows)
        + sum(math.lgamma(c + 1) for c in cols)
        - math.lgamma(n + 1)
    )
    observed = _log_table_probability(counts, log_margins)
    total = 0.0
    for candidate in _tables_with_margins(rows, cols):
        log_p = _log_table_probability(candidate, log_margins)
        if log_p <= observed + 1e-7:
            total += math.exp(log_p)
    return float(min(1.0, total))


def categorical_test(table: ArrayLike, method: CategoricalTest = "auto") -> TestResult:
    """Pearson's chi-square (no continuity correction) or Fisher's exact test.

    ``auto`` applies the paper's "whichever was appropriate" as the usual rule: Fisher's exact
    test when any expected count is below 5, else Pearson's chi-square (SPSS's "Pearson
    Chi-Square" row, which is uncorrected).
    """
    counts = _as_table(table)
    min_expected = float(expected_counts(counts).min())
    if method == "auto":
        method = "fisher" if min_expected < MIN_EXPECTED else "chi-square"
    if method == "chi-square":
        result = stats.chi2_contingency(counts, correction=False)
        return TestResult(CHI_SQUARE, float(result.pvalue), min_expected)
    if method == "fisher":
        return TestResult(FISHER, fisher_freeman_halton(counts), min_expected)
    raise ValueError(f"method={method!r}: expected 'auto', 'chi-square' or 'fisher'")


def continuous_test(samples: Sequence[ArrayLike], nonnormal: bool) -> TestResult:
    """Rank test (Mann-Whitney U for two groups, Kruskal-Wallis beyond) or t-test/ANOVA."""
    arrays = [np.asarray(s, dtype=float) for s in samples]
    if len(arrays) < 2 or any(a.size < 2 for a in arrays):
        raise ValueError("continuous_test needs at least two groups of at least two values")
    if nonnormal and len(arrays) == 2:
        p = stats.mannwhitneyu(arrays[0], arrays[1], alternative="two-sided").pvalue
        return TestResult("Mann-Whitney U", float(p))
    if nonnormal:
        return TestResult("Kruskal-Wallis", float(stats.kruskal(*arrays).pvalue))
    name = "Student t-test" if len(arrays) == 2 else "one-way ANOVA"
    return TestResult(name, float(stats.f_oneway(*arrays).pvalue))


# --------------------------------------------------------------------------- SMD


def smd_binary(p1: float, p2: float) -> float:
    """|p1 - p2| / sqrt((p1(1-p1) + p2(1-p2)) / 2); 0 when both proportions are 0 or 1."""
    for name, p in (("p1", p1), ("p2", p2)):
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"{name}={p} is not a proportion")
    variance = (p1 * (1 - p1) + p2 * (1 - p2)) / 2
    if variance == 0:
        return 0.0 if p1 == p2 else math.inf
    return abs(p1 - p2) / math.sqrt(variance)


def smd_categorical(props1: ArrayLike, props2: ArrayLike) -> float:
    """Yang & Dalton (2012) multivariate SMD for a k-level variable, sqrt(T' S^-1 T).

    T holds the differences in the proportions of levels 2..k, S the average of the two
    groups' multinomial covariance matrices of those levels. With two levels it reduces to
    :func:`smd_binary`. A singular S (a level absent in both groups) uses the pseudo-inverse,
    as tableone does with ``MASS::ginv``.
    """
    p = np.asarray(props1, dtype=float)
    q = np.asarray(props2, dtype=float)
    if p.shape != q.shape or p.ndim != 1 or p.size < 2:
        raise ValueError("props1 and props2 must be 1-D with the same number (>= 2) of levels")
    for name, v in (("props1", p), ("props2", q)):
        if np.any(v < 0) or not math.isclose(float(v.sum()), 1.0, abs_tol=1e-9):
            raise ValueError(f"{name} must be proportions summing to 1, got {v.tolist()}")
    t = (p - q)[1:]
    pp, qq = p[1:], q[1:]
    s = (np.diag(pp) - np.outer(pp, pp) + np.diag(qq) - np.outer(qq, qq)) / 2
    value = float(t @ np.linalg.pinv(s) @ t)
    return math.sqrt(max(value, 0.0))


def smd_continuous(x1: ArrayLike, x2: ArrayLike) -> float:
    """Cohen's d with the pooled SD, |m1 - m2| / sqrt(((n1-1)s1^2 + (n2-1)s2^2)/(n1+n2-2)).

    Note: tableone uses the unweighted sqrt((s1^2 + s2^2)/2); the two agree for equal groups.
    """
    a = np.asarray(x1, dtype=float)
    b = np.asarray(x2, dtype=float)
    if a.size < 2 or b.size < 2:
        raise ValueError("smd_continuous needs at least two values per group")
    pooled = ((a.size - 1) * a.var(ddof=1) + (b.size - 1) * b.var(ddof=1)) / (a.size + b.size - 2)
    if pooled == 0:
        return 0.0 if a.mean() == b.mean() else math.inf
    return abs(float(a.mean() - b.mean())) / math.sqrt(pooled)


def _max_pairwise(values: Sequence[object], smd: Callable[[object, object], float]) -> float:
    """With more than two groups tableone reports pairwise SMDs; one column shows the largest."""
    return max(smd(a, b) for a, b in itertools.combinations(values, 2))


# --------------------------------------------------------------------------- table one


def _check_columns(df: pd.DataFrame, columns: Sequence[str], where: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise KeyError(f"{where}: column(s) {missing} not in the data (have {list(df.columns)})")
    for column in columns:
        gaps = df.index[df[column].isna()]
        if len(gaps):
            raise ValueError(f"{where}: row {gaps[0]}, column {column!r} is missing")


def _fmt_count(k: int, n: int, decimals: int) -> str:
    return f"{k} ({100 * k / n:.{decimals}f})"


def _fmt_continuous(x: pd.Series, nonnormal: bool, decimals: int) -> str:
    if nonnormal:
        q1, median, q3 = np.percentile(x.to_numpy(dtype=float), [25, 50, 75])
        return f"{median:.{decimals}f} [{q1:.{decimals}f}, {q3:.{decimals}f}]"
    return f"{x.mean():.{decimals}f} ({x.std(ddof=1):.{decimals}f})"


def table_one(
    df: pd.DataFrame,
    columns: Sequence[str],
    categorical: Sequence[str],
    groupby: str,
    nonnormal: Sequence[str] = (),
    *,
    categorical_method: CategoricalTest = "auto",
    levels: Mapping[str, Sequence[object]] | None = None,
    group_labels: Mapping[object, str] | None = None,
    decimals: int = 1,
) -> pd.DataFrame:
    """A tableone-style summary of ``columns`` overall and by ``groupby``.

    One row per level of a categorical variable (``n (%)``, column percentages) and one row
    per continuous variable (``median [Q1, Q3]`` if listed in ``nonnormal``, else
    ``mean (SD)``); the first row gives the group sizes. ``test``, ``p`` and ``SMD`` sit on a
    variable's first row; with more than two groups ``SMD`` is the largest pairwise value.
    ``group_labels`` names the group columns and fixes their order (default: sorted values).
    Returns columns ``variable, level, Overall, <groups...>, test, p, SMD`` (``p`` and ``SMD``
    numeric, NaN where not applicable).
    """
    where = "table_one"
    unknown = [c for c in (*categorical, *nonnormal) if c not in columns]
    if unknown:
        raise ValueError(f"{where}: {unknown} listed as categorical/nonnormal but not in columns")
    both = set(categorical) & set(nonnormal)
    if both:
        raise ValueError(f"{where}: {sorted(both)} cannot be both categorical and nonnormal")
    _check_columns(df, [*columns, groupby], where)
    levels = dict(levels or {})
    observed_groups = sorted(df[groupby].unique(), key=str)
    if len(observed_groups) < 2:
        raise ValueError(f"{where}: column {groupby!r} has fewer than two groups")
    if group_labels is None:
        group_labels = {g: f"{groupby} = {g}" for g in observed_groups}
    unlabelled = [g for g in observed_groups if g not in group_labels]
    if unlabelled:
        raise ValueError(f"{where}: groups {unlabelled} of {groupby!r} have no label")
    group_values = [g for g in group_labels if g in set(observed_groups)]
    labels = {g: group_labels[g] for g in group_values}
    groups = {g: df[df[groupby] == g] for g in group_values}
    head = ["variable", "level", "Overall", *labels.values()]

    rows: list[dict[str, object]] = [
        dict(
            zip(
                head,
                ["n", "", str(len(df)), *(str(len(groups[g])) for g in group_values)],
                strict=True,
            ),
            test="",
            p=np.nan,
            SMD=np.nan,
        )
    ]
    for column in columns:
        if column in categorical:
            observed = list(pd.unique(df[column]))
            order = list(levels.get(column, sorted(observed, key=str)))
            extra = [v for v in observed if v not in order]
            if extra:
                raise ValueError(f"{where}: column {column!r} has values {extra} not in levels")
            table = np.array(
                [[int((groups[g][column] == v).sum()) for g in group_values] for v in order]
            )
            present = table.sum(axis=1) > 0
            result = categorical_test(table[present], categorical_method)
            props = [table[:, j] / table[:, j].sum() for j in range(len(group_values))]
            smd = _max_pairwise(props, lambda a, b: smd_categorical(a, b))
            for i, value in enumerate(order):
                cells = [_fmt_count(int(table[i].sum()), len(df), decimals)]
                cells += [
                    _fmt_count(int(table[i, j]), len(groups[g]), decimals)
                    for j, g in enumerate(group_values)
                ]
                first = i == 0
                rows.append(
                    dict(
                        zip(head, [column if first else "", str(value), *cells], strict=True),
                        test=result.test if first else "",
                        p=result.p_value if first else np.nan,
                        SMD=smd if first else np.nan,
                    )
                )
        else:
            is_nonnormal = column in nonnormal
            if not pd.api.types.is_numeric_dtype(df[column]):
                raise TypeError(f"{where}: column {column!r} is not numeric; is it categorical?")
            samples = [groups[g][column] for g in group_values]
            result = continuous_test(samples, is_nonnormal)
            smd = _max_pairwise(samples, lambda a, b: smd_continuous(a, b))
            summary = "median [Q1, Q3]" if is_nonnormal else "mean (SD)"
            cells = [_fmt_continuous(df[column], is_nonnormal, decimals)]
            cells += [_fmt_continuous(s, is_nonnormal, decimals) for s in samples]
            rows.append(
                dict(
                    zip(head, [column, summary, *cells], strict=True),
                    test=result.test,
                    p=result.p_value,
                    SMD=smd,
                )
            )
    return pd.DataFrame(rows, columns=[*head, "test", "p", "SMD"])


# --------------------------------------------------------------------------- Table 3


TABLE3_LEVELS: dict[str, tuple[tuple[str, str], ...]] = {
    "sex": (("male", "Male"), ("female", "Female")),
    "age": (("ge60", "≥60"), ("lt60", "<60")),
    "pdr": (("ge6", "≥6"), ("lt6", "<6")),
    "pmfi": (("ge12", "≥12"), ("lt12", "<12")),
    "afp": (("ge20", "≥20"), ("lt20", "<20")),
    "hepatitis": (("present", "Present"), ("absent", "Absent")),
    "lesions": (("le3", "≤3"), ("gt3", ">3")),
    "maxsize": (("le3", "≤3"), ("gt3", ">3")),
    "intrahepatic": (("active", "Active"), ("inactive", "Inactive")),
    "livertx": (
        ("resection", "Resection"),
        ("tace", "TACE"),
        ("transplantation", "Transplantation"),
    ),
    "sorafenib": (("no", "No"), ("yes", "Yes")),
    "ecog": (("0_1", "0-1"), ("2", "2")),
    "othermets": (("no", "No"), ("yes", "Yes")),
}
"""Table 3's rows in its printed order: factor key -> (claim level key, group label).

The grouping itself (cut-points, coding) is defined once, in
:data:`lungmets.analyses.prognostic.FACTORS`; this only adds Table 3's row order and the level keys
of the claims ``t3_n_<factor>_<level>``.
"""


def table3_factors(patients: pd.DataFrame) -> pd.DataFrame:
    """The patients' Table 3 groups, one column per factor key (labels of ``prognostic``)."""
    out = pd.DataFrame({key: factor_groups(patients, key) for key in TABLE3_LEVELS})
    for key, levels in TABLE3_LEVELS.items():
        unknown = set(out[key]) - {label for _, label in levels}
        if unknown:
            raise ValueError(
                f"factor {key!r} gives groups {sorted(unknown)} Table 3 does not print"
            )
    return out


def table3_levels() -> dict[str, list[str]]:
    """Printed level order per factor, for ``table_one(levels=...)``."""
    return {key: [label for _, label in levels] for key, levels in TABLE3_LEVELS.items()}


def compare_table3(patients: pd.DataFrame) -> pd.DataFrame:
    """Table 3 counts and percentages reproduced next to the published ones (claims t3_*).

    One row per printed number: claim id, variable, level, published text, reproduced value
    at the printed precision, and whether it rounds to the printed value.
    """
    factors = table3_factors(patients)
    n = len(factors)
    rows = []
    for key, levels in TABLE3_LEVELS.items():
        for level_key, label in levels:
            k = int((factors[key] == label).sum())
            for quantity, value in (("n", k), ("pct", 100 * k / n)):
                c = claim(f"t3_{quantity}_{key}_{level_key}")
                rows.append(
                    {
                        "claim id": c.id,
                        "variable": FACTORS[key].label,
                        "level": label,
                        "quantity": "n" if quantity == "n" else "%",
                        "published": c.value,
                        "reproduced": f"{value:.{c.decimals}f}",
                        "hit": bool(c.matches(value)),
                    }
                )
    return pd.DataFrame(rows)


CONTINUOUS_LABELS: dict[str, str] = {
    "age_years": "Age, years",
    "pdr_months": "PDR, months",
    "pmfi_months": "PmFI, months",
    "afp_ng_ml": "AFP before RT, value",
    "n_lesions": "Lung metastases, count",
    "max_lesion_cm": "Largest lesion, cm",
}
"""The continuous values behind Table 3's cut-points, summarised as median [Q1, Q3]."""


def table_one_by_sorafenib(
    patients: pd.DataFrame, categorical_method: CategoricalTest = "auto"
) -> pd.DataFrame:
    """Table 3's factors and their continuous values, HT + sorafenib versus HT only.

    The paper compares the two treatment groups' outcomes but prints their characteristics
    only pooled; this is the table a reader needs to judge how comparable the groups were.
    """
    factors = table3_factors(patients).drop(columns="sorafenib")
    labels = {key: FACTORS[key].label for key in factors.columns}
    data = factors.rename(columns=labels)
    for column, label in CONTINUOUS_LABELS.items():
        _check_columns(patients, [column], "patients.csv")
        data[label] = patients[column].astype(float)
    data["group"] = patients["sorafenib"].astype(int)
    levels = {labels[key]: order for key, order in table3_levels().items() if key in labels}
    return table_one(
        data,
        columns=[*labels.values(), *CONTINUOUS_LABELS.values()],
        categorical=list(labels.values()),
        groupby="group",
        nonnormal=list(CONTINUOUS_LABELS.values()),
        categorical_method=categorical_method,
        levels=levels,
        group_labels={1: "HT + sorafenib", 0: "HT only"},
    )


# --------------------------------------------------------------------------- follow-up


def followup_table(
    patients: pd.DataFrame,
    origin: Literal["detection", "rt_start"] = "detection",
    closing_date: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Median follow-up under the definitions a paper may mean, with SE and range.

    ``origin="detection"`` measures from detection of lung metastases (the paper's OS origin,
    ``os_months``); ``"rt_start"`` from the start of radiotherapy (``os_months - pdr_months``).
    Rows: reverse Kaplan-Meier median (censoring is the event, so deaths do not end
    follow-up; SE as SPSS prints it for a Kaplan-Meier median), median of all observed times
    (deaths pull it down), median among patients alive at last contact, and, when
    ``closing_date`` is given, the potential follow-up to that date (needs the date columns).
    """
    _check_columns(patients, ["os_months", "os_event", "pdr_months"], "followup_table")
    time = patients["os_months"].astype(float)
    if origin == "rt_start":
        time = time - patients["pdr_months"].astype(float)
    elif origin != "detection":
        raise ValueError(f"origin={origin!r}: expected 'detection' or 'rt_start'")
    negative = time.index[time < 0]
    if len(negative):
        raise ValueError(
            f"patients.csv: row {negative[0]}, columns 'os_months' - 'pdr_months': "
            f"follow-up from {origin} is negative"
        )
    event = patients["os_event"].astype(int)
    reverse = km_median_spss(time, 1 - event)
    rows = [("Reverse Kaplan-Meier median", reverse.median, reverse.se, math.nan, math.nan)]
    for name, values in (
        ("Median of all observed times", time),
        ("Median among patients alive at last contact", time[event == 0]),
    ):
        rows.append(_median_row(name, values))
    if closing_date is not None:
        date_column = "lung_mets_detected_date" if origin == "detection" else "rt_start_date"
        _check_columns(patients, [date_column], "followup_table")
        start = pd.to_datetime(patients[date_column], errors="raise")
        potential = (pd.Timestamp(closing_date) - start).dt.days / (365.25 / 12)
        rows.append(_median_row("Median potential follow-up to the closing date", potential))
    return pd.DataFrame(rows, columns=["definition", "median", "se", "min", "max"])


def _median_row(name: str, values: pd.Series) -> tuple[str, float, float, float, float]:
    if values.empty:
        return (name, math.nan, math.nan, math.nan, math.nan)
    return (name, float(values.median()), math.nan, float(values.min()), float(values.max()))
