"""Results as plain JSON data: what `tenure ... --json` prints and `analysis_results` stores.

`json_default` is the ``default`` hook of `json.dumps` for the types results
are made of (dataclasses, dates, paths); `plain_data` turns a result into
lists, dicts, strings, numbers and None, with non-finite floats (an infinite
median, a NaN p-value) as None so that strict JSON readers (browsers) accept it.
"""

from __future__ import annotations

import dataclasses
import json
import math
from datetime import date, datetime
from pathlib import Path
from typing import Any


def json_default(value: object) -> object:
    """`json.dumps(..., default=json_default)`: dataclasses, paths and datetimes."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot print {type(value).__name__} as JSON")


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def plain_data(value: object) -> Any:
    """`value` as JSON-compatible data (non-finite floats become None)."""
    return _finite(json.loads(json.dumps(value, default=json_default)))


def to_json(value: object) -> str:
    """`value` as strict JSON text (no NaN or Infinity)."""
    return json.dumps(plain_data(value), allow_nan=False, separators=(",", ":"))
