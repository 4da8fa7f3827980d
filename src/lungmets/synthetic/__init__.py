"""How the SYNTHETIC cohort was built: reconstruction, calibration and how well it reproduces.

``reconstruct`` writes and reads the cohort's files, ``calibrate`` fits it to the paper's
numbers (aiming at ``targets``, searching the states of ``state`` through the ``moves``, judged
by ``loss``), ``scorecard`` scores every published number hit or miss, ``tradeoffs`` probes the
misses and ``ensemble`` repeats the calibration over seeds. The records describe no real patient.
"""
