#!/usr/bin/env Rscript
# Reference values from R's survival package for the teaching modules, for
# tests/test_two_sample.py and tests/test_hazards.py.
#
# Why: the pages book/comparing-curves.md and book/hazards-cox.md compute weighted log-rank
# tests, restricted mean survival times with their standard errors, Nelson-Aalen cumulative
# hazards, stratified Cox models and Cox models with a coefficient that changes at a cut-point.
# A reader reruns them in R; the tests check the package against R's numbers without needing R.
#
# Run from the repository root:  make r-reference   (which runs scripts/r_reference.R first)
# Needs Debian's r-base-core and r-cran-survival and coreutils' sha256sum. Not part of
# `make test`. Rerun whenever data/synthetic/patients.csv changes: provenance.csv records its
# SHA-256 and the cohort tests fail until the fixture matches. The cohort is SYNTHETIC.
#
# Inputs: data/synthetic/patients.csv (SYNTHETIC cohort) and tests/fixtures/r_survival/veteran.csv
# (R's veteran data, as scripts/r_reference.R wrote it). Outputs in tests/fixtures/r_teaching/:
#   reference.csv   case, method, subset, term, quantity, value: one R number a row
#   provenance.csv  key, value: R and survival versions, SHA-256 of the inputs read

source(file.path("scripts", "r_common.R"))

out_dir <- file.path("tests", "fixtures", "r_teaching")
veteran_csv <- file.path("tests", "fixtures", "r_survival", "veteran.csv")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

add <- function(case, method, subset, term, quantity, value) {
  add_row(case = case, method = method, subset = subset, term = term, quantity = quantity,
          value = num(unname(value)))
}

# survdiff's rho: weights S(t-)^rho with the pooled Kaplan-Meier (rho = 0: log-rank).
survdiff_rows <- function(case, time, event, group) {
  for (rho in c(0, 1)) {
    test <- survdiff(Surv(time, event) ~ group, rho = rho)
    add(case, paste0("survdiff-rho", rho), "all", "", "chisq", test$chisq)
  }
}

# The restricted mean and its standard error, as print(survfit(...), rmean = tau) gives them.
rmean_rows <- function(case, subset, time, event, horizons) {
  fit <- survfit(Surv(time, event) ~ 1)
  for (tau in horizons) {
    table <- summary(fit, rmean = tau)$table
    add(case, "rmean", subset, tau, "rmean", table[["rmean"]])
    add(case, "rmean", subset, tau, "se", table[["se(rmean)"]])
  }
}

# Nelson-Aalen (survfit's default ctype = 1): cumulative hazard and its SE at each event time.
cumhaz_rows <- function(case, time, event) {
  fit <- survfit(Surv(time, event) ~ 1)
  keep <- fit$n.event > 0
  for (i in which(keep)) {
    add(case, "nelson-aalen", "all", fit$time[i], "cumhaz", fit$cumhaz[i])
    add(case, "nelson-aalen", "all", fit$time[i], "std_chaz", fit$std.chaz[i])
  }
}

cox_rows <- function(case, method, fit) {
  se <- sqrt(diag(vcov(fit)))
  add(case, method, "all", "", "loglik", fit$loglik[2])
  for (term in names(coef(fit))) {
    add(case, method, "all", term, "coef", coef(fit)[term])
    add(case, method, "all", term, "se", se[term])
  }
}

# A coefficient that changes at `cut`: split each patient's follow-up there (survSplit) and give
# the covariate one column per period, so each coefficient is that period's log hazard ratio.
piecewise_rows <- function(case, data, time, event, covariate, cut) {
  data$row_id <- seq_len(nrow(data))
  split <- survSplit(as.formula(paste0("Surv(", time, ", ", event, ") ~ .")), data = data,
                     cut = cut, episode = "period", start = "tstart", end = "tstop")
  split$x_early <- split[[covariate]] * (split$period == 1)
  split$x_late <- split[[covariate]] * (split$period == 2)
  for (ties in c("efron", "breslow")) {
    fit <- coxph(as.formula(paste0("Surv(tstart, tstop, ", event, ") ~ x_early + x_late")),
                 data = split, ties = ties, control = control)
    cox_rows(case, paste0("piecewise-", ties, "-cut", cut), fit)
  }
}

# ---------------------------------------------------------------- R's veteran data
veteran <- read.csv(veteran_csv)
survdiff_rows("veteran", veteran$time, veteran$status, veteran$trt)
for (t in 1:2) {
  keep <- veteran$trt == t
  rmean_rows("veteran", paste0("trt=", t), veteran$time[keep], veteran$status[keep],
             c(100, 200, 400))
}
cumhaz_rows("veteran", veteran$time, veteran$status)
veteran$trt2 <- as.integer(veteran$trt == 2)
piecewise_rows("veteran", veteran, "time", "status", "trt2", 90)
for (ties in c("efron", "breslow")) {
  fit <- coxph(Surv(time, status) ~ trt2 + strata(celltype), data = veteran, ties = ties,
               control = control)
  cox_rows("veteran", paste0("strata-", ties), fit)
}

# ---------------------------------------------------------------- the SYNTHETIC cohort
patients <- read.csv(patients_csv, stringsAsFactors = FALSE)
design <- data.frame(
  pfs_months = patients$pfs_months, pfs_event = patients$pfs_event,
  os_months = patients$os_months, os_event = patients$os_event,
  sorafenib_no = as.integer(patients$sorafenib == 0),
  intrahepatic_active = as.integer(patients$intrahepatic_active == 1),
  lesions_gt3 = as.integer(patients$n_lesions > 3))
for (ep in c("os", "pfs")) {
  time <- design[[paste0(ep, "_months")]]
  event <- design[[paste0(ep, "_event")]]
  case <- paste0("cohort_", ep)
  horizons <- if (ep == "os") c(12, 18, 24, 30) else c(6, 12, 18, 24)
  survdiff_rows(case, time, event, design$sorafenib_no)
  for (s in 0:1) {
    keep <- design$sorafenib_no == s
    rmean_rows(case, paste0("sorafenib_no=", s), time[keep], event[keep], horizons)
  }
  cumhaz_rows(case, time, event)
}
piecewise_rows("cohort_os", design, "os_months", "os_event", "sorafenib_no", 24)
piecewise_rows("cohort_pfs", design, "pfs_months", "pfs_event", "lesions_gt3", 6)
for (ties in c("efron", "breslow")) {
  fit <- coxph(Surv(os_months, os_event) ~ sorafenib_no + strata(intrahepatic_active),
               data = design, ties = ties, control = control)
  cox_rows("cohort_os", paste0("strata-", ties), fit)
}

# ---------------------------------------------------------------- write
write.csv(all_rows(), file.path(out_dir, "reference.csv"), row.names = FALSE,
          quote = FALSE)
provenance <- data.frame(
  key = c("R", "survival", paste0("sha256:", patients_csv), paste0("sha256:", veteran_csv)),
  value = c(R.version.string, as.character(packageVersion("survival")), sha256(patients_csv),
            sha256(veteran_csv)))
write.csv(provenance, file.path(out_dir, "provenance.csv"), row.names = FALSE)
