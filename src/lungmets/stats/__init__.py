"""Survival statistics the analyses and the lessons share.

Kaplan-Meier, log-rank and Cox estimates checked against lifelines and R (``survival_stats``),
a fast numpy Cox and log-rank engine for the calibration's inner loop and the bootstraps
(``fast_stats``), the Grambsch-Therneau test of proportional hazards (``ph_test``) and the
paper's stepwise Cox selection (``stepwise``).
"""
