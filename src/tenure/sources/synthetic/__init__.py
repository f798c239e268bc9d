"""A synthetic B2B SaaS customer history with known truth, for demos, tests and benchmarks."""

from tenure.sources.synthetic.generation import GenerationSummary, generate
from tenure.sources.synthetic.timeline import DEFAULT_END_DATE

__all__ = ["DEFAULT_END_DATE", "GenerationSummary", "generate"]
