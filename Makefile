# Two commands matter (see README): `make book` builds the site, `make test` runs every test.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: book html pdf bench-pdf bench-live bench-polish bench-stats bench-members test serve vendor browser lock clean bench bench-pages bundle data ensemble rescore r-reference tradeoffs

## Create the virtual environment and install the exact pins plus this package.
$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==24.3.1
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

## Self-hosted scripts, styles and fonts (no CDN at page load), from the npm registry.
vendor: $(STAMP)
	$(BIN)/python scripts/vendor_assets.py

## Build the HTML book into _build/html (warnings are errors), with its downloads (the SYNTHETIC
## data, the notebooks) and its PDF handouts.
book: pdf
	@echo "Book built: open $(CURDIR)/_build/html/index.html"

## The HTML site alone.
html: $(STAMP) vendor
	$(BIN)/jupyter-book build . -W -n --keep-going

## PDF handouts, one per page and one of the whole book, printed from the site by Chromium into
## _build/html/downloads/pdf/.
pdf: html browser
	$(BIN)/python scripts/make_pdf.py

## A zip of the built site that works unzipped on a PC with no network (_build/lungmets-book.zip).
bundle: book
	$(BIN)/python scripts/make_bundle.py

## Headless Chromium for the real-browser test (Debian package; needs root or sudo).
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium missing: run 'sudo apt-get install -y chromium'"; exit 1; fi; }

## Every test: lint, unit tests, the book build and the real-browser test of the site.
test: $(STAMP) vendor browser
	$(BIN)/ruff check src tests scripts book/_ext
	$(BIN)/python -m pytest

## Serve the built site on http://127.0.0.1:8000 (optional).
serve:
	$(BIN)/python -m http.server --directory _build/html --bind 127.0.0.1 8000

## Regenerate the SYNTHETIC cohort from its seed (byte-identical; the book only reads it).
data: $(STAMP)
	$(BIN)/python scripts/build_cohort.py --benchmark benchmarks/calibration.md

## What each unexplained scorecard miss would cost: one targeted calibration per missed target,
## written to data/synthetic/tradeoffs.csv (about 7 min with two workers). Rerun after `make data`.
tradeoffs: $(STAMP)
	$(BIN)/python scripts/build_tradeoffs.py --workers 2 --benchmark benchmarks/tradeoffs.md

## Calibrate the ensemble of alternative synthetic cohorts: about 1.5 min a member with two
## workers; seeds already in data/synthetic/ensemble/members.csv are kept, only new ones run.
ensemble: $(STAMP)
	$(BIN)/python scripts/build_ensemble.py --workers 2 --benchmark benchmarks/ensemble.md

## After a scorecard change (claims added, no cohort changed): re-score the cached members
## from their CSVs instead of recalibrating them.
rescore: $(STAMP)
	$(BIN)/python scripts/build_ensemble.py --rescore

## R's survival numbers the tests compare against (tests/fixtures/r_survival/ and, for the
## teaching pages, tests/fixtures/r_teaching/, which reads r_survival's veteran.csv); needs
## Debian's r-base-core and r-cran-survival. Rerun after `make data`: the cohort tests fail
## until then. Not part of `make test`, which needs no R.
r-reference:
	Rscript scripts/r_reference.R
	Rscript scripts/r_reference_teaching.R

## Cold build, no-change rebuild and full test timings, written to benchmarks/timings.md.
bench: $(STAMP) vendor browser
	$(BIN)/python scripts/benchmark_build.py

## Time of the PDF handouts (on a built site), written to benchmarks/pdf.md.
bench-pdf: html browser
	$(BIN)/python scripts/make_pdf.py --benchmark benchmarks/pdf.md

## How fast every live panel recomputes in a kernel, written to benchmarks/live.md.
bench-live: $(STAMP)
	$(BIN)/python scripts/benchmark_live.py

## Where the calibration stalls before its last stage, what the exact label search does and what
## an exhaustive S-group search would add, on the canonical seed: benchmarks/polish.md (~6 min).
bench-polish: $(STAMP)
	$(BIN)/python scripts/study_polish.py

## Ensemble members timed alone, chains in parallel as the canonical cohort is, written to
## benchmarks/members.md: the canonical seed, every 25th planned seed, and the four members
## that were slowest in the last make ensemble run (84, 89, 90, 94).
MEMBER_SAMPLE ?= 2016,0,25,50,75,84,89,90,94
bench-members: $(STAMP)
	$(BIN)/python scripts/time_members.py --seeds $(MEMBER_SAMPLE)

## How fast the statistics are on paper-sized data, written to benchmarks/stats.md.
bench-stats: $(STAMP)
	$(BIN)/python scripts/benchmark_stats.py

## Page speed of the built site under a slow-network profile, written to benchmarks/pages.md.
bench-pages: $(STAMP) browser
	$(BIN)/python scripts/benchmark_pages.py

## Re-resolve requirements.in into exact pins in requirements.txt.
lock:
	rm -rf /tmp/lungmets-lock && $(PYTHON) -m venv /tmp/lungmets-lock
	/tmp/lungmets-lock/bin/pip install --quiet -r requirements.in
	{ sed -n '1,3p' requirements.txt; /tmp/lungmets-lock/bin/pip freeze; } > requirements.txt.new
	mv requirements.txt.new requirements.txt

clean:
	rm -rf _build vendor node_modules
