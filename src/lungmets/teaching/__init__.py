"""Survival analysis from first principles: the logic behind the book's teaching part.

One module per page of that part (``book/`` pages named in each module's docstring), so a
learner who opens a page's notebook finds the functions it calls in one place. Every function
works on the SYNTHETIC cohort, a small extract of it, or a seeded simulation; none of them
touches real patients' data.
"""
