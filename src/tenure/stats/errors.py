"""The errors the statistical models raise for a user's mistake (light to import)."""

from __future__ import annotations


class StatsInputError(ValueError):
    """The data or options given to a model cannot be used; the message says why and where."""


class ChurnDataError(StatsInputError):
    """A churn table a user gave is unusable (the message names where and why)."""
