"""The claims catalogue: every quote is verbatim paper text, every value is in its quote, the
ids other modules code against exist, and the loader parses precision and rejects bad files."""

import math
import re
from pathlib import Path

import pandas as pd
import pytest

from lungmets.claims import Claim, ClaimsError, claim, claims_frame, load_claims, value
from lungmets.paths import PUBLISHED_DIR

CATALOGUE = PUBLISHED_DIR / "claims.csv"
HEADER = "id,section,quantity,group,value,unit,source,quote"

# The id contract (helpers' shared brief): ids printed explicitly there must exist verbatim.
CONTRACT_IDS: tuple[str, ...] = (
    "t3_n_total", "t1_n_total", "t1_pfs_mv_hr_lesions", "t1_pfs_mv_ci_lower_lesions",
    "t1_pfs_mv_ci_upper_lesions", "t1_pfs_mv_p_lesions", "t1_pfs_mv_hr_sorafenib",
    "t1_pfs_mv_ci_lower_sorafenib", "t1_pfs_mv_ci_upper_sorafenib", "t1_pfs_mv_p_sorafenib",
    "t1_os_mv_hr_intrahepatic", "t1_os_mv_ci_lower_intrahepatic", "t1_os_mv_ci_upper_intrahepatic",
    "t1_os_mv_p_intrahepatic", "t1_os_mv_hr_sorafenib", "t1_os_mv_ci_lower_sorafenib",
    "t1_os_mv_ci_upper_sorafenib", "t1_os_mv_p_sorafenib", "t2_n_total_sorafenib_no",
    "t2_n_total_sorafenib_yes", "res_pct_male_all", "res_pct_hepatitis_all",
    "res_pct_maxsize_le3_all", "res_n_childpugh_a", "res_pct_childpugh_a", "res_n_childpugh_b",
    "res_pct_childpugh_b", "res_n_response_cr_all", "res_pct_response_cr_all", "res_pct_orr_all",
    "res_n_lesions_total", "res_n_lesion_response_cr", "res_pct_lesion_response_cr",
    "res_pct_lesion_orr", "res_pfs_median_all", "res_pfs_median_se_all",
    "res_pfs_median_ci_lower_all", "res_pfs_median_ci_upper_all", "res_os_median_all",
    "res_os_median_se_all", "res_os_median_ci_lower_all", "res_os_median_ci_upper_all",
    "res_os_rate_24m_all", "res_pfs_logrank_p_sorafenib", "res_os_logrank_p_sorafenib",
    "res_pfs_rate_12m_sorafenib_no", "res_os_rate_12m_sorafenib_no",
    "res_pfs_rate_24m_sorafenib_no", "res_os_rate_24m_sorafenib_no",
    "res_pfs_rate_12m_sorafenib_yes", "res_os_rate_12m_sorafenib_yes",
    "res_pfs_rate_24m_sorafenib_yes", "res_os_rate_24m_sorafenib_yes", "res_pfs_mv_hr_sorafenib",
    "res_pfs_mv_ci_lower_sorafenib", "res_pfs_mv_ci_upper_sorafenib", "res_pfs_mv_p_sorafenib",
    "res_os_mv_hr_sorafenib", "res_os_mv_ci_lower_sorafenib", "res_os_mv_ci_upper_sorafenib",
    "res_os_mv_p_sorafenib", "res_pfs_median_lesions_le3", "res_pfs_median_se_lesions_le3",
    "res_pfs_median_lesions_gt3", "res_pfs_median_se_lesions_gt3", "res_pfs_logrank_p_lesions",
    "res_os_median_intrahepatic_inactive", "res_os_median_se_intrahepatic_inactive",
    "res_os_median_intrahepatic_active", "res_os_median_se_intrahepatic_active",
    "res_os_logrank_p_intrahepatic", "res_pfs_mv_hr_lesions", "res_pfs_mv_ci_lower_lesions",
    "res_pfs_mv_ci_upper_lesions", "res_pfs_mv_p_lesions", "res_pfs_hr_approx_lesions",
    "res_os_mv_hr_intrahepatic", "res_os_mv_ci_lower_intrahepatic",
    "res_os_mv_ci_upper_intrahepatic", "res_os_mv_p_intrahepatic",
    "res_n_radiation_ae_sorafenib_yes", "res_n_radiation_ae_sorafenib_no",
    "res_n_ast_alt_sorafenib_yes", "res_n_hfsr_sorafenib_yes", "res_n_anorexia_sorafenib_yes",
    "res_n_diarrhoea_sorafenib_yes", "res_n_anorexia_sorafenib_no", "res_max_ae_grade_all",
    "res_os_median_val_rt", "res_os_median_se_val_rt", "res_os_median_val_s",
    "res_os_median_se_val_s", "res_os_median_val_co", "res_os_median_se_val_co",
    "res_os_logrank_p_val_rt_vs_co", "res_os_logrank_p_val_s_vs_co",
    "res_os_logrank_p_val_rt_vs_s", "abs_n_total", "abs_pct_orr_all", "abs_n_response_cr_all",
    "abs_n_response_pr_all", "abs_pfs_median_all", "abs_pfs_median_se_all", "abs_os_median_all",
    "abs_os_median_se_all", "abs_pfs_median_sorafenib_yes", "abs_pfs_median_se_sorafenib_yes",
    "abs_pfs_median_sorafenib_no", "abs_pfs_median_se_sorafenib_no", "abs_pfs_logrank_p_sorafenib",
    "abs_os_median_sorafenib_yes", "abs_os_median_se_sorafenib_yes", "abs_os_median_sorafenib_no",
    "abs_os_median_se_sorafenib_no", "abs_os_logrank_p_sorafenib", "abs_pfs_mv_p_sorafenib",
    "abs_os_mv_p_sorafenib", "abs_pfs_median_lesions_le3", "abs_os_logrank_p_intrahepatic",
    "abs_max_ae_grade_all", "met_study_start", "met_study_end", "met_last_followup_date",
    "met_n_lesions_total", "met_n_adrenal_mets", "met_n_bone_mets", "met_n_bone_mets_ribs",
    "met_n_bone_mets_scapula", "met_n_sorafenib_yes", "met_n_sorafenib_no", "met_n_dose_800",
    "met_n_dose_400", "met_sorafenib_dose_800", "met_sorafenib_days_median",
    "met_sorafenib_days_median_se", "met_sorafenib_days_min", "met_sorafenib_days_max",
    "met_n_rfa_during_rt", "met_n_tace_during_rt", "met_n_rfa_tace_during_rt", "met_pmfi_min",
    "met_pmfi_max", "met_pmfi_median", "met_pmfi_median_se", "met_pdr_min", "met_pdr_max",
    "met_pdr_median", "met_pdr_median_se", "met_followup_median", "met_followup_median_se",
    "met_followup_min", "met_followup_max", "met_n_deaths", "met_pct_deaths", "met_n_val_co",
    "met_n_val_rt", "met_n_val_s", "met_n_val_co_rt", "met_val_sorafenib_days_median",
    "met_val_sorafenib_days_median_se", "met_val_sorafenib_days_min", "met_val_sorafenib_days_max",
    "met_val_followup_median", "met_val_followup_median_se", "met_val_followup_min",
    "met_val_followup_max", "met_dose_total_gy", "met_fractions_min", "met_fractions_max",
    "met_ptv_margin_cm", "met_lung_v20_limit_pct", "met_ptv_dose_min_pct", "met_ptv_dose_max_pct",
    "met_ptv_hotspot_pct", "met_max_lesions_inclusion", "met_max_diameter_inclusion_cm",
    "met_ecog_max",
)


def _words(text: str) -> list[str]:
    return text.split()


# Ids the contract gives as templates, expanded over its level, factor and event keys.
T3_LEVELS = _words(
    "sex_male sex_female age_ge60 age_lt60 pdr_ge6 pdr_lt6 pmfi_ge12 pmfi_lt12 afp_ge20 afp_lt20 "
    "hepatitis_present hepatitis_absent lesions_le3 lesions_gt3 maxsize_le3 maxsize_gt3 "
    "intrahepatic_active intrahepatic_inactive livertx_resection livertx_tace "
    "livertx_transplantation sorafenib_no sorafenib_yes ecog_0_1 ecog_2 othermets_no othermets_yes"
)
FACTORS = _words(
    "sex age pdr pmfi afp hepatitis lesions maxsize intrahepatic livertx sorafenib ecog othermets"
)
T2_EVENTS = _words(
    "esophagitis pneumonitis ast_alt hfsr anorexia diarrhoea hypertension anemia leukocytopenia "
    "thrombocytopenia"
)
TEMPLATED_IDS: tuple[str, ...] = (
    *(f"t3_{kind}_{level}" for kind in ("n", "pct") for level in T3_LEVELS),
    *(f"t1_{end}_uni_p_{factor}" for end in ("pfs", "os") for factor in FACTORS),
    *(f"t2_n_{event}_{arm}" for event in T2_EVENTS for arm in ("sorafenib_no", "sorafenib_yes")),
    *(f"res_{kind}_response_{r}_all" for kind in ("n", "pct") for r in ("cr", "pr", "sd", "pd")),
    *(f"res_{kind}_lesion_response_{r}" for kind in ("n", "pct") for r in ("cr", "pr", "sd", "pd")),
)

_RELATION_WORDS = {
    "<": ("<", "less than", "fewer than"),
    ">": (">", "more than", "greater than"),
    "<=": ("≤", "<="),
    ">=": ("≥", ">="),
}




@pytest.fixture(scope="module")
def claims() -> dict[str, Claim]:
    return load_claims()


def _value_in_quote(item: Claim) -> bool:
    """The printed number occurs in the quote, after its relation sign or words if it has one."""
    if item.unit == "date":
        return item.value in item.quote
    text = item.value.lstrip("<>=≤≥")
    # Digits may touch letters ("4D-CT", "v3.0") but not other digits; words need word boundaries.
    number = (
        rf"\b{re.escape(text)}\b" if text.isalpha()
        else rf"(?<![\d.]){re.escape(text)}(?!\d|\.\d)"
    )
    if item.relation == "=":
        return re.search(number, item.quote, flags=re.IGNORECASE) is not None
    signs = "|".join(re.escape(word) for word in _RELATION_WORDS[item.relation])
    return re.search(rf"(?:{signs}).*?{number}", item.quote) is not None


def test_catalogue_covers_the_paper(claims: dict[str, Claim]) -> None:
    assert len(claims) > 300


def test_every_quote_is_verbatim_paper_text(claims: dict[str, Claim], paper: str) -> None:
    missing = [item.id for item in claims.values() if item.quote not in paper]
    assert not missing, f"quotes not found in the normalised paper text: {missing}"


def test_every_quote_contains_its_value(claims: dict[str, Claim]) -> None:
    missing = [f"{item.id}={item.value}" for item in claims.values() if not _value_in_quote(item)]
    assert not missing, f"values not found in their own quotes: {missing}"


def test_contract_ids_exist(claims: dict[str, Claim]) -> None:
    missing = sorted(set(CONTRACT_IDS + TEMPLATED_IDS) - set(claims))
    assert not missing, f"ids promised to other modules are missing: {missing}"


def test_plain_pandas_reads_no_missing_values() -> None:
    """Readers that bypass the loader must not see a printed 'None' or 'NA' turn into NaN."""
    assert not pd.read_csv(CATALOGUE).isna().to_numpy().any()


def test_printings_of_a_quantity_share_a_unit(claims: dict[str, Claim]) -> None:
    units: dict[tuple[str, str], set[str]] = {}
    for item in claims.values():
        units.setdefault((item.quantity, item.group), set()).add(item.unit)
    mixed = {key: sorted(found) for key, found in units.items() if len(found) > 1}
    assert not mixed


def _claim(value_text: str, unit: str = "months") -> Claim:
    return Claim("x", "survival", "q", "all", value_text, unit, "results text", value_text)


def test_two_decimals_give_the_half_open_rounding_interval() -> None:
    item = _claim("7.50")
    assert (item.number, item.relation, item.decimals) == (7.5, "=", 2)
    assert (item.lower, item.upper) == (7.495, 7.505)
    assert item.matches(7.495) and item.matches(7.5049)
    assert not item.matches(7.505) and not item.matches(7.4949)
    assert item.distance(7.6) == pytest.approx(0.095)
    assert item.distance(7.49) == pytest.approx(0.005)
    assert item.distance(7.50) == 0.0
    assert float(item) == 7.5


def test_integer_value_has_zero_decimals() -> None:
    item = _claim("80", "%")
    assert (item.number, item.decimals, item.lower, item.upper) == (80.0, 0, 79.5, 80.5)
    assert item.matches(79.5) and not item.matches(80.5)


def test_less_than_is_an_open_ray() -> None:
    item = _claim("<0.001", "p")
    assert (item.relation, item.number, item.decimals) == ("<", 0.001, 3)
    assert item.lower == -math.inf and item.upper == 0.001
    assert item.matches(0.0004) and not item.matches(0.001)
    assert item.distance(0.003) == pytest.approx(0.002)


@pytest.mark.parametrize(
    ("text", "relation", "inside", "outside"),
    [("≥60", ">=", 60.0, 59.9), ("≤60", "<=", 60.0, 60.1), (">30", ">", 30.1, 30.0)],
)
def test_inequality_signs(text: str, relation: str, inside: float, outside: float) -> None:
    item = _claim(text)
    assert item.relation == relation and item.number == float(text[1:])
    assert item.matches(inside) and not item.matches(outside)


def test_spelled_out_counts_are_exact_integers() -> None:
    item = _claim("six", "n")
    assert (item.number, item.decimals) == (6.0, 0)
    assert item.matches(6) and not item.matches(7)


def test_dates_parse_to_days_and_months() -> None:
    day = _claim("October 24, 2015", "date")
    month = _claim("October 2011", "date")
    assert (day.date.isoformat(), month.date.isoformat()) == ("2015-10-24", "2011-10-01")
    assert day.number is None
    with pytest.raises(TypeError):
        float(day)


def test_lookup_reads_the_catalogue() -> None:
    assert claim("abs_pfs_median_all").value == "7.50"
    assert value("t3_n_total") == 45.0
    assert claim("met_study_start").date.isoformat() == "2011-10-01"


def test_unknown_id_suggests_close_ids() -> None:
    with pytest.raises(KeyError, match="res_pfs_median_all"):
        claim("res_pfs_medain_all")


def test_frame_has_one_parsed_row_per_claim(claims: dict[str, Claim]) -> None:
    frame = claims_frame()
    assert len(frame) == len(claims) and frame["id"].is_unique
    row = frame.set_index("id").loc["res_pfs_median_ci_lower_all"]
    assert (row["value"], row["decimals"], row["lower"]) == ("6.47", 2, 6.465)


GOOD = 'a_b,survival,q,all,7.50,months,results text,was 7.50'
MALFORMED = {
    "bad_value": (f"{HEADER}\n{GOOD}\nc_d,survival,q,all,7.5.0,months,results text,x 7.5.0\n",
                  3, "value", "'7.5.0' is not a number"),
    "missing_column": ("id,section,quantity,group,value,unit,source\n"
                       "a_b,survival,q,all,7.50,months,results text\n", 1, "quote", "missing"),
    "duplicate_id": (f"{HEADER}\n{GOOD}\n{GOOD}\n", 3, "id", "duplicates the id on line 2"),
    "bad_section": (f"{HEADER}\n{GOOD}\na_c,efficacy,q,all,1,n,results text,1\n",
                    3, "section", "'efficacy'"),
    "empty_cell": (f"{HEADER}\n{GOOD}\na_c,survival,q,,1,n,results text,1\n", 3, "group", "empty"),
    "bad_id": (f"{HEADER}\nA-b,survival,q,all,1,n,results text,1\n", 2, "id", "snake_case"),
    "long_quote": (f"{HEADER}\na_b,survival,q,all,1,n,results text,1{'x' * 120}\n",
                   2, "quote", "more than 120"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_files_name_file_row_and_column(case: str, tmp_path: Path) -> None:
    text, row, column, detail = MALFORMED[case]
    path = tmp_path / "bad_claims.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ClaimsError) as caught:
        load_claims(path)
    message = str(caught.value)
    assert message.startswith(f"bad_claims.csv, line {row}, column '{column}': ")
    assert detail in message
