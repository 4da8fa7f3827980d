"""Reading the paper critically: the audit of its published numbers against each other.

``audit`` runs the checks of the paper's claims for internal consistency, family by family:
``counts``, ``survival`` and ``wording`` hold the families by concern, ``sentence_audit`` ties
every quantitative sentence of the Results and Discussion (the ledger of ``ledger``) to them,
and ``checks`` holds the vocabulary and helpers they share.
Only published numbers are audited here, never the synthetic cohort.
"""
