#!/usr/bin/env Rscript
# Reference values from R's survival package, for tests/test_r_reference.py.
#
# Why: most readers who rerun an analysis of this book rerun it in R. The tests compare the
# package's Kaplan-Meier medians and intervals, Cox fits, cox.zph proportional-hazards tests and
# log-rank tests with what R prints, without needing R themselves: this script writes R's
# numbers (17 significant digits) and the data rows it used into tests/fixtures/r_survival/.
#
# Run from the repository root:  make r-reference   (or: Rscript scripts/r_reference.R)
# Needs Debian's r-base-core and r-cran-survival (apt-get install -y r-base-core
# r-cran-survival) and coreutils' sha256sum; nothing else. Not part of `make test`.
#
# Rerun it whenever data/synthetic/patients.csv or data/published/claims.csv change (e.g. after
# `make data`): provenance.csv records their SHA-256, and the cohort tests fail, naming this
# script, until the fixture matches the committed files. The cohort is SYNTHETIC.
#
# Outputs (all CSV):
#   reference.csv   case, subset, method, term, quantity, value: one R number a row
#   provenance.csv  key, value: R and survival versions, SHA-256 of the inputs read
#   lung.csv, veteran.csv, ovarian.csv, toy.csv   the data rows R analysed (R's own datasets,
#                   columns used, R's coding; toy.csv holds two small edge cases built here)

source(file.path("scripts", "r_common.R"))

out_dir <- file.path("tests", "fixtures", "r_survival")
claims_csv <- file.path("data", "published", "claims.csv")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

add <- function(case, subset, method, term, quantity, value) {
  add_row(case = case, subset = subset, method = method, term = term, quantity = quantity,
          value = num(unname(value)))
}

km_rows <- function(case, subset, time, event) {
  add(case, subset, "km", "", "n", length(time))
  add(case, subset, "km", "", "events", sum(event))
  for (ct in c("log", "log-log")) {
    fit <- survfit(Surv(time, event) ~ 1, conf.type = ct)
    q <- quantile(fit, probs = 0.5)
    method <- paste0("km-", ct)
    add(case, subset, method, "", "median", q$quantile)
    add(case, subset, method, "", "lower", q$lower)
    add(case, subset, method, "", "upper", q$upper)
  }
}

# cox.zph's x (km scale) and y (scaled Schoenfeld residuals + coefficient) at each death, one
# row per death in R's order; quantity is the death's position, from 1.
zph_residual_rows <- function(case, fit) {
  z <- cox.zph(fit)
  for (i in seq_along(z$time)) {
    add(case, "all", "zph-efron-km-y", "time", i, z$time[i])
    add(case, "all", "zph-efron-km-y", "x", i, z$x[i])
    for (term in colnames(z$y)) add(case, "all", "zph-efron-km-y", term, i, z$y[i, term])
  }
}

cox_rows <- function(case, formula, data, residuals = FALSE) {
  for (ties in c("efron", "breslow")) {
    # x and model kept in the fit: cox.zph then needs no re-evaluation of `data`
    fit <- coxph(formula, data = data, ties = ties, control = control, x = TRUE, model = TRUE)
    method <- paste0("coxph-", ties)
    se <- sqrt(diag(vcov(fit)))
    ci <- exp(confint(fit))
    add(case, "all", method, "", "n", fit$n)
    add(case, "all", method, "", "loglik", fit$loglik[2])
    for (term in names(coef(fit))) {
      add(case, "all", method, term, "coef", coef(fit)[term])
      add(case, "all", method, term, "se", se[term])
      add(case, "all", method, term, "hr_lower", ci[term, 1])
      add(case, "all", method, term, "hr_upper", ci[term, 2])
    }
    if (residuals && ties == "efron") zph_residual_rows(case, fit)
    for (transform in c("km", "rank", "identity")) {
      table <- cox.zph(fit, transform = transform)$table
      zph <- paste("zph", ties, transform, sep = "-")
      for (term in rownames(table)) {
        add(case, "all", zph, term, "chisq", table[term, "chisq"])
        add(case, "all", zph, term, "df", table[term, "df"])
        add(case, "all", zph, term, "p", table[term, "p"])
      }
    }
  }
}

logrank_rows <- function(case, time, event, group) {
  test <- survdiff(Surv(time, event) ~ group)
  df <- length(test$n) - 1
  add(case, "all", "survdiff", "", "chisq", test$chisq)
  add(case, "all", "survdiff", "", "df", df)
  add(case, "all", "survdiff", "", "p", pchisq(test$chisq, df, lower.tail = FALSE))
}

write_rows <- function(frame, name) {
  formatted <- as.data.frame(lapply(frame, function(x) if (is.numeric(x)) num(x) else x),
                             stringsAsFactors = FALSE)
  write.csv(formatted, file.path(out_dir, name), row.names = FALSE, quote = FALSE)
}

# ---------------------------------------------------------------- R's own datasets
lung_rows <- survival::lung[, c("time", "status", "age", "sex", "ph.ecog")]
lung_event <- as.integer(lung_rows$status == 2)  # R codes lung's status 1 = censored, 2 = dead
km_rows("lung", "all", lung_rows$time, lung_event)
for (s in 1:2) {
  keep <- lung_rows$sex == s
  km_rows("lung", paste0("sex=", s), lung_rows$time[keep], lung_event[keep])
}
cox_rows("lung", Surv(time, status) ~ age + sex + ph.ecog, lung_rows)
logrank_rows("lung", lung_rows$time, lung_event, lung_rows$sex)

veteran_rows <- survival::veteran
km_rows("veteran", "all", veteran_rows$time, veteran_rows$status)
for (t in 1:2) {
  keep <- veteran_rows$trt == t
  km_rows("veteran", paste0("trt=", t), veteran_rows$time[keep], veteran_rows$status[keep])
}
cox_rows("veteran", Surv(time, status) ~ trt + celltype + karno + diagtime + age + prior,
         veteran_rows)
logrank_rows("veteran", veteran_rows$time, veteran_rows$status, veteran_rows$trt)

ovarian_rows <- survival::ovarian[, c("futime", "fustat", "age", "ecog.ps", "rx")]
km_rows("ovarian", "all", ovarian_rows$futime, ovarian_rows$fustat)
for (r in 1:2) {
  keep <- ovarian_rows$rx == r
  km_rows("ovarian", paste0("rx=", r), ovarian_rows$futime[keep], ovarian_rows$fustat[keep])
}
cox_rows("ovarian", Surv(futime, fustat) ~ age + ecog.ps + rx, ovarian_rows)
logrank_rows("ovarian", ovarian_rows$futime, ovarian_rows$fustat, ovarian_rows$rx)

# Two edge cases of the median: the curve ends on 0.5 (R: midpoint to the last time), and the
# curve sits on 0.5 over a censored stretch and ends with a death (Ŝ = 0, band undefined).
toy_rows <- data.frame(
  case = c(rep("toy_ends_at_half", 4), rep("toy_flat_half", 6)),
  time = c(1, 2, 3, 4, 1, 2, 3, 4, 5, 6),
  event = c(1, 1, 0, 0, 1, 1, 1, 0, 1, 1))
for (case in unique(toy_rows$case)) {
  keep <- toy_rows$case == case
  km_rows(case, "all", toy_rows$time[keep], toy_rows$event[keep])
}

# ---------------------------------------------------------------- the SYNTHETIC cohort
patients <- read.csv(patients_csv, stringsAsFactors = FALSE)
claims <- read.csv(claims_csv, stringsAsFactors = FALSE)
lesions_cut <- as.numeric(claims$value[claims$id == "t1_lesions_cutoff_all"])
if (length(lesions_cut) != 1 || is.na(lesions_cut)) stop(claims_csv, ": no t1_lesions_cutoff_all")

# The endpoint definitions of lungmets.analyses.endpoints.endpoint_data, written again in R.
from_rt <- round(patients$os_months - patients$pdr_months, 10)
died_first <- patients$pfs_event == 0 & patients$os_event == 1
endpoints <- list(
  pfs = list(time = patients$pfs_months, event = patients$pfs_event),
  os = list(time = patients$os_months, event = patients$os_event),
  os_rt = list(time = from_rt, event = patients$os_event),
  pfs_death_event = list(time = ifelse(died_first, from_rt, patients$pfs_months),
                         event = ifelse(died_first, 1L, patients$pfs_event)))
for (name in names(endpoints)) {
  e <- endpoints[[name]]
  case <- paste0("cohort_", name)
  km_rows(case, "all", e$time, e$event)
  for (s in 0:1) {
    keep <- patients$sorafenib == s
    km_rows(case, paste0("sorafenib=", s), e$time[keep], e$event[keep])
  }
  logrank_rows(case, e$time, e$event, patients$sorafenib)
}

# The paper's final models, coded as lungmets.analyses.prognostic.cox_design codes them.
design <- data.frame(
  pfs_months = patients$pfs_months, pfs_event = patients$pfs_event,
  os_months = patients$os_months, os_event = patients$os_event,
  lesions_gt3 = as.integer(patients$n_lesions > lesions_cut),
  intrahepatic_active = as.integer(patients$intrahepatic_active == 1),
  sorafenib_no = as.integer(patients$sorafenib == 0))
cox_rows("cohort_pfs", Surv(pfs_months, pfs_event) ~ lesions_gt3 + sorafenib_no, design,
         residuals = TRUE)
cox_rows("cohort_os", Surv(os_months, os_event) ~ intrahepatic_active + sorafenib_no, design,
         residuals = TRUE)

# ---------------------------------------------------------------- write
write.csv(all_rows(), file.path(out_dir, "reference.csv"), row.names = FALSE,
          quote = FALSE)
write_rows(lung_rows, "lung.csv")
write_rows(veteran_rows, "veteran.csv")
write_rows(ovarian_rows, "ovarian.csv")
write_rows(toy_rows, "toy.csv")
provenance <- data.frame(
  key = c("R", "survival", "sha256:data/synthetic/patients.csv",
          "sha256:data/published/claims.csv"),
  value = c(R.version.string, as.character(packageVersion("survival")),
            sha256(patients_csv), sha256(claims_csv)))
write.csv(provenance, file.path(out_dir, "provenance.csv"), row.names = FALSE)
cat("wrote", nrow(all_rows()), "reference values to", out_dir, "\n")
