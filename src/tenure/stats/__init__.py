"""Statistical models and analyses on small pandas frames."""
