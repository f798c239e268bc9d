"""Statistical models on small, already-aggregated frames: CLV (clv), survival
(survival), proportions (intervals and tests), behavioural segments of purchases
(behaviour), migration comparisons (migration).

Nothing is re-exported here, so importing the error type does not load scipy or lifelines.
"""
