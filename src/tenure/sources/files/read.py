"""Read an import file (CSV, Parquet or JSON Lines) into an Arrow table.

Every row keeps where it came from in a `_line` column (the physical line of a
CSV or JSON Lines file, the 1-based row of a Parquet file), so every later
rejection can say where the bad value is. Rows that cannot even be read (a
line that is not valid UTF-8, a CSV line with the wrong number of fields, a
JSON line that is not an object) are rejected here; the rest are read.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from ibis.backends import BaseBackend

from tenure.sources.files.report import Rejection

LINE = "_line"

FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}

# Magic numbers of files people export by mistake instead of CSV.
_NOT_CSV = {
    b"PK\x03\x04": "a zip archive or an Excel workbook (.xlsx); export the sheet as CSV",
    b"%PDF": "a PDF document",
    b"\xd0\xcf\x11\xe0": "an old Excel (.xls) or Office file; export the sheet as CSV",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"\x1f\x8b": "a gzip archive; unpack it first",
}


class ImportFileError(ValueError):
    """The file as a whole cannot be imported; the message says why and where."""


@dataclass
class RawFile:
    """What was read: the rows, and the rows that could not be read.

    CSV and JSON Lines are parsed into `table`; a Parquet file stays on disk
    (`parquet`) and DuckDB scans it in place, which is several times faster.
    """

    path: Path
    format: str
    table: pa.Table | None = None
    parquet: pq.ParquetFile | None = None
    rejections: list[Rejection] = field(default_factory=list)
    # Raw text of unreadable rows by line, for the quarantine file.
    unreadable: dict[int, str] = field(default_factory=dict)

    @property
    def unit(self) -> str:
        return "row" if self.format == "parquet" else "line"

    @property
    def column_names(self) -> list[str]:
        if self.parquet is not None:
            return list(self.parquet.schema_arrow.names)
        assert self.table is not None
        return [name for name in self.table.column_names if name != LINE]

    @property
    def num_rows(self) -> int:
        if self.parquet is not None:
            return int(self.parquet.metadata.num_rows)
        assert self.table is not None
        return int(self.table.num_rows)

    def relation(self, con: BaseBackend) -> ir.Table:
        """The rows as a table in `con` (DuckDB), with their `_line`."""
        if self.parquet is None:
            return ibis.memtable(self.table)
        scan = con.read_parquet(self.path, file_row_number=True)
        return scan.mutate(**{LINE: scan.file_row_number + 1}).drop("file_row_number")

    def rows_at(self, con: BaseBackend, lines: list[int]) -> list[dict[str, Any]]:
        """The rows at `lines`, as read, for the quarantine file."""
        wanted = pa.array(lines, pa.int64())
        if self.parquet is None:
            assert self.table is not None
            return self.table.filter(pc.is_in(self.table[LINE], wanted)).to_pylist()
        rows = self.relation(con)
        return rows.filter(rows[LINE].isin(lines)).to_pyarrow().to_pylist()


def read_file(path: Path, *, encoding: str = "utf-8") -> RawFile:
    """Read `path`, choosing the reader by its content and extension."""
    if not path.is_file():
        raise ImportFileError(f"{path}: no such file")
    with path.open("rb") as handle:
        head = handle.read(8)
    if not head:
        raise ImportFileError(f"{path}: the file is empty; nothing to import")
    fmt = "parquet" if head.startswith(b"PAR1") else FORMATS.get(path.suffix.lower(), "csv")
    if fmt == "parquet":
        return _read_parquet(path)
    for magic, what in _NOT_CSV.items():
        if head.startswith(magic):
            raise ImportFileError(f"{path}: this is not a {fmt.upper()} file: it looks like {what}")
    text, bad_lines = _decode(path, encoding)
    if fmt == "jsonl":
        return _read_jsonl(path, text, bad_lines)
    return _read_csv(path, text, bad_lines)


def _read_parquet(path: Path) -> RawFile:
    try:
        return RawFile(path, "parquet", parquet=pq.ParquetFile(path))
    except (pa.ArrowInvalid, OSError) as exc:
        raise ImportFileError(f"{path}: not a readable Parquet file: {exc}") from None


def _decode(path: Path, encoding: str) -> tuple[str, set[int]]:
    """The file's text, and the lines that are not valid in `encoding`.

    Undecodable bytes are kept as surrogates so the rest of their line is not
    lost for the quarantine file, and the line is rejected later.
    """
    data = path.read_bytes()
    codec = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    try:
        return data.decode(codec), set()
    except UnicodeDecodeError:
        pass
    except LookupError:
        raise ImportFileError(f"unknown encoding {encoding!r}") from None
    text = data.decode(codec, errors="surrogateescape")
    bad = {n for n, line in enumerate(text.splitlines(), start=1) if _has_surrogate(line)}
    if len(bad) > max(10, len(text) // 2000):  # most of the file: the wrong encoding
        first = min(bad)
        raise ImportFileError(
            f"{path}:{first}: the file is not valid {encoding} ({len(bad)} lines have invalid "
            "bytes); if it was saved in another encoding, pass e.g. --encoding cp1252"
        )
    return text, bad


def _has_surrogate(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def _encoding_rejection(line: int) -> Rejection:
    return Rejection(
        line, None, None, "not valid UTF-8 text; if the file has another encoding, use --encoding"
    )


def _read_csv(path: Path, text: str, bad_lines: set[int]) -> RawFile:
    dialect = _sniff(path, text)
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError(f"{path}: the file is empty; nothing to import") from None
    except csv.Error as exc:
        raise ImportFileError(f"{path}:1: cannot read the header: {exc}") from None
    header = [name.strip() for name in header]
    _check_header(path, header)
    columns: list[list[str | None]] = [[] for _ in header]
    lines: list[int] = []
    raw = RawFile(path, "csv")
    previous_end = reader.line_num
    try:
        for row in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if not any(value.strip() for value in row):
                continue  # a blank line
            if not bad_lines.isdisjoint(range(start, previous_end + 1)):
                _reject_unreadable(
                    raw, start, dialect.delimiter.join(row), _encoding_rejection(start)
                )
            elif len(row) != len(header):
                reason = f"expected {len(header)} fields, found {len(row)}"
                _reject_unreadable(
                    raw, start, dialect.delimiter.join(row), Rejection(start, None, None, reason)
                )
            else:
                lines.append(start)
                for values, value in zip(columns, row, strict=True):
                    values.append(value)
    except csv.Error as exc:
        raise ImportFileError(f"{path}:{reader.line_num}: not readable as CSV: {exc}") from None
    arrays = {
        name: pa.array(values, pa.string()) for name, values in zip(header, columns, strict=True)
    }
    raw.table = pa.table({**arrays, LINE: pa.array(lines, pa.int64())})
    return raw


def _reject_unreadable(raw: RawFile, line: int, text: str, rejection: Rejection) -> None:
    raw.rejections.append(rejection)
    raw.unreadable[line] = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _sniff(path: Path, text: str) -> type[csv.Dialect]:
    """Excel's CSV dialect with the file's delimiter (comma, semicolon, tab or bar)."""
    sample = text[: 64 * 1024]
    if "\x00" in sample:
        raise ImportFileError(f"{path}: this is not a CSV file: it contains binary data")
    if sample.lstrip().startswith(("{", "[")):
        raise ImportFileError(
            f"{path}: this is not a CSV file: it looks like JSON; save it as .jsonl "
            "(one JSON object per line)"
        )
    header = sample.split("\n", 1)[0]
    delimiter = max(",;\t|", key=header.count)

    class Dialect(csv.excel):
        pass

    Dialect.delimiter = delimiter if header.count(delimiter) else ","
    return Dialect


def _check_header(path: Path, header: list[str]) -> None:
    if not any(header):
        raise ImportFileError(f"{path}:1: the header line is empty")
    seen: dict[str, int] = {}
    for position, name in enumerate(header, start=1):
        key = name.lower()
        if not name:
            raise ImportFileError(f"{path}:1: column {position} has no name")
        if key in seen:
            raise ImportFileError(
                f"{path}:1: column '{name}' appears twice (columns {seen[key]} and {position})"
            )
        seen[key] = position


def _read_jsonl(path: Path, text: str, bad_lines: set[int]) -> RawFile:
    rows: list[dict[str, Any]] = []
    lines: list[int] = []
    raw = RawFile(path, "jsonl")
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if number in bad_lines:
            _reject_unreadable(raw, number, line, _encoding_rejection(number))
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            _reject_unreadable(
                raw, number, line, Rejection(number, None, None, f"not JSON: {exc.msg}")
            )
            continue
        if not isinstance(item, dict):
            reason = "expected a JSON object {...} on each line"
            _reject_unreadable(raw, number, line, Rejection(number, None, None, reason))
            continue
        rows.append(item)
        lines.append(number)
    if not rows and not raw.rejections:
        raise ImportFileError(f"{path}: the file has no rows; nothing to import")
    names = list(dict.fromkeys(key for row in rows for key in row))
    _check_header(path, names)
    arrays = {name: pa.array([_text(row.get(name)) for row in rows], pa.string()) for name in names}
    raw.table = pa.table({**arrays, LINE: pa.array(lines, pa.int64())})
    return raw


def _text(value: Any) -> str | None:
    """JSON values as the text a CSV would hold: objects stay JSON."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    return str(value)
