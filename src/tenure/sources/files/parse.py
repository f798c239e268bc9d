"""Turn source values into typed values, as Ibis expressions run in DuckDB.

A value that cannot be parsed becomes NULL; the checks compare the typed value
with the source text to reject it with a reason. Accepted forms:
- numbers: `1234.5`, `1,234.50`, `$1,234.50` (thousands commas, a currency sign);
- timestamps: ISO 8601 with or without a time and offset (converted to UTC),
  `M/D/YYYY [H:MM[:SS]]` (US exports), `D.M.YYYY [H:MM]`, and Unix epoch
  seconds or milliseconds.
"""

from __future__ import annotations

from datetime import datetime

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

DATE_FORMATS = [
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
]
EARLIEST = datetime(1970, 1, 1)
LATEST = datetime(2100, 1, 1)


@ibis.udf.scalar.builtin
def try_strptime(text: str, formats: list[str]) -> datetime:  # type: ignore[empty-body]
    """DuckDB's try_strptime: the first format that parses, else NULL."""


def as_text(value: ir.Value) -> ir.StringValue:
    """Trimmed text, with empty strings as NULL."""
    text = value if value.type().is_string() else value.cast("string")
    return text.strip().nullif("")


def parse(value: ir.Value, dtype: str) -> ir.Value:
    """`value` as `dtype`; passes values that already have a fitting type through."""
    have = value.type()
    if dtype == "string":
        return as_text(value)
    if dtype == "float64":
        return value.cast("float64") if have.is_numeric() else _number(as_text(value))
    if dtype == "int64":
        return value.cast("int64") if have.is_integer() else _whole(as_text(value))
    if dtype == "timestamp":
        return _timestamp(value)
    raise ValueError(f"no parser for {dtype}")


def _number(text: ir.StringValue) -> ir.FloatingValue:
    cleaned = text.re_replace(r"^[$€£]|,|\s", "")
    return cleaned.try_cast("float64")


def _whole(text: ir.StringValue) -> ir.IntegerValue:
    number = _number(text)
    fits = (number == number.round()) & (number.abs() < 9e18)
    return ibis.ifelse(fits, number.cast("int64"), ibis.null("int64"))


def _timestamp(value: ir.Value) -> ir.TimestampValue:
    have = value.type()
    if have.is_timestamp() or have.is_date():
        return value.cast(dt.Timestamp())
    text = as_text(value)
    iso = text.try_cast(dt.Timestamp(timezone="UTC")).cast(dt.Timestamp())
    epoch = text.re_search(r"^\d{10}(\d{3})?$")
    number = text.try_cast("int64")
    from_epoch = ibis.ifelse(
        number > 100_000_000_000, number.as_timestamp("ms"), number.as_timestamp("s")
    )
    return ibis.coalesce(
        ibis.ifelse(epoch, from_epoch, ibis.null("timestamp")),
        iso,
        try_strptime(text, DATE_FORMATS),
    )
