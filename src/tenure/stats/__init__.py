"""Statistical models on small, already aggregated frames."""
