"""The one error the statistical models raise for a user's mistake."""

from __future__ import annotations


class StatsInputError(ValueError):
    """The data or options given to a model cannot be used; the message says why and where."""
