"""Reading the paper critically: the audit of its published numbers against each other.

``audit`` checks the paper's claims for internal consistency in families of checks;
``sentence_audit`` ties every quantitative sentence of the Results and Discussion to them.
Only published numbers are audited here, never the synthetic cohort.
"""
