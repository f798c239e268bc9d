"""`import_file`: read, check and upsert one file into a fact table.

Valid rows load even when others are rejected; rejected rows go to a
quarantine CSV (their line, the reasons, and the row as it was), so nothing
in the file is lost.
"""

from __future__ import annotations

import csv
import time
from datetime import UTC, datetime
from pathlib import Path

import ibis
import ibis.expr.types as ir
from ibis.backends import BaseBackend

from tenure.sources.files.columns import map_columns
from tenure.sources.files.read import LINE, ImportFileError, RawFile, read_file
from tenure.sources.files.report import ImportReport, Rejection, UnknownAccounts
from tenure.sources.files.stage import (
    Staged,
    deduplicated,
    field_rejections,
    loadable,
    stage,
)
from tenure.warehouse.connect import connect, ensure_fact_tables
from tenure.warehouse.schemas import IMPORT_KINDS, FactTable
from tenure.warehouse.writes import upsert

SHOWN = 20  # how many unknown account ids and lines a report names


def import_file(
    path: Path,
    kind: str,
    warehouse: BaseBackend,
    *,
    preset: str | None = None,
    encoding: str = "utf-8",
    quarantine_dir: Path | None = None,
) -> ImportReport:
    """Import `path` (CSV, Parquet or JSON Lines) as `kind` into `warehouse`.

    Raises `ImportFileError` when the file as a whole cannot be imported (not
    found, empty, not the format its name says, a required column missing).
    """
    started = time.perf_counter()
    table = _fact_table(kind)
    raw = read_file(path, encoding=encoding)
    names = raw.column_names
    if raw.num_rows == 0 and not raw.rejections:
        raise ImportFileError(f"{path}: the file has a header but no rows; nothing to import")
    columns = map_columns(names, kind, table, preset)
    ensure_fact_tables(warehouse)
    staging = warehouse if warehouse.name == "duckdb" else connect("duckdb://")
    report = ImportReport(path, kind, unit=raw.unit, rows_read=raw.num_rows)
    report.extra_columns = columns.extras
    staged = stage(staging, raw.relation(staging), table, columns)
    kept: Staged | None = None
    try:
        rejections = raw.rejections + field_rejections(staged)
        kept, duplicates = deduplicated(staged, {r.line for r in rejections}, unit=raw.unit)
        report.rejections = sorted(rejections + duplicates, key=lambda r: r.line)
        rows = loadable(kept)
        if table.references_account:
            report.unknown_accounts = _unknown_accounts(rows, kept, warehouse)
        if staging is not warehouse:
            rows = ibis.memtable(rows.to_pyarrow())
        counts = upsert(warehouse, table, rows)
    finally:
        for temporary in (staged, kept):
            if temporary is not None:
                temporary.drop()
    report.inserted, report.updated, report.unchanged = (
        counts.inserted,
        counts.updated,
        counts.unchanged,
    )
    if report.rejections and quarantine_dir is not None:
        report.quarantine_file = write_quarantine(raw, report, quarantine_dir, staging)
    report.seconds = time.perf_counter() - started
    return report


def _fact_table(kind: str) -> FactTable:
    if kind not in IMPORT_KINDS:
        raise ImportFileError(f"unknown kind {kind!r}; choose one of {', '.join(IMPORT_KINDS)}")
    return IMPORT_KINDS[kind]


def _unknown_accounts(
    rows: ir.Table, kept: Staged, warehouse: BaseBackend
) -> UnknownAccounts | None:
    """Rows (kept) whose account is not in the warehouse's accounts table."""
    known = warehouse.table("accounts").select("account_id")
    if kept.con is not warehouse:
        known = ibis.memtable(known.to_pyarrow())
    lines = kept.rows.select(LINE, "account_id")
    orphans = lines.filter(lines.account_id.notnull()).anti_join(known, "account_id")
    count = int(orphans.count().execute())
    if not count:
        return None
    ids = orphans.account_id.name("id").as_table().distinct().order_by("id").limit(SHOWN)
    first = orphans.order_by(LINE).limit(SHOWN)[LINE]
    return UnknownAccounts(
        count, ids.to_pyarrow()["id"].to_pylist(), first.to_pyarrow().to_pylist()
    )


def write_quarantine(raw: RawFile, report: ImportReport, folder: Path, con: BaseBackend) -> Path:
    """Write the rejected rows, as they were, with their line and reasons."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    target = folder / f"{report.kind}-{raw.path.stem}-{stamp}.csv"
    reasons: dict[int, list[Rejection]] = {}
    for rejection in report.rejections:
        reasons.setdefault(rejection.line, []).append(rejection)
    rows = raw.rows_at(con, sorted(reasons))
    by_line = {row.pop(LINE): row for row in rows}
    names = raw.column_names
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([raw.unit, "errors", *names, "unreadable_text"])
        for line, found in sorted(reasons.items()):
            errors = "; ".join(r.detail() for r in found)
            row = by_line.get(line, {})
            values = ["" if row.get(n) is None else str(row[n]) for n in names]
            writer.writerow([line, errors, *values, raw.unreadable.get(line, "")])
    return target
