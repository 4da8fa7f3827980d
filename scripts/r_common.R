# What both reference scripts (r_reference.R, r_reference_teaching.R) share: the survival
# package, the Cox convergence control, the row collector and the number format.
# Sourced from the repository root; writes nothing itself.

suppressPackageStartupMessages(library(survival))

patients_csv <- file.path("data", "synthetic", "patients.csv")
if (!file.exists(patients_csv)) stop("run from the repository root: ", patients_csv, " not found")

# Newton-Raphson run to a relative log-likelihood change of 1e-11 (R's default is 1e-9), so the
# reference coefficients carry no convergence error at the digits the tests compare.
control <- coxph.control(eps = 1e-11, iter.max = 100)

# 17 significant digits: every double printed so that it reads back to the same double.
num <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))

# One reference value a row; each script fixes its own column order in its `add`.
rows <- new.env()
rows$list <- list()
add_row <- function(...) {
  rows$list[[length(rows$list) + 1]] <- data.frame(..., stringsAsFactors = FALSE)
}
all_rows <- function() do.call(rbind, rows$list)

sha256 <- function(path) strsplit(system2("sha256sum", path, stdout = TRUE), " ")[[1]][1]
