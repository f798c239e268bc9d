"""Importing CSV files as a user would, good ones and broken ones."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

import pytest

from tenure.sources.files import ImportFileError, import_file

GOOD = """account_id,name,employees,created_at,plan,Favourite color
A1,Acme,120,2024-01-05,growth,blue
A2,Globex,15,2024-02-10T09:30:00+02:00,starter,
A3,Initech,30,03/15/2024,business,green
"""


def stored(warehouse, table="accounts", order="account_id"):  # type: ignore[no-untyped-def]
    return warehouse.table(table).order_by(order).to_pyarrow().to_pylist()


def test_a_good_file_loads_every_row_with_types_and_extras(warehouse, write) -> None:
    report = import_file(write("a.csv", GOOD), "accounts", warehouse)
    assert (report.inserted, report.updated, report.unchanged, report.rejected) == (3, 0, 0, 0)
    rows = stored(warehouse)
    assert [r["employees"] for r in rows] == [120, 15, 30]
    # An offset is converted to UTC; US dates are month/day/year.
    assert rows[1]["created_at"] == datetime(2024, 2, 10, 7, 30)
    assert rows[2]["created_at"] == datetime(2024, 3, 15)
    assert json.loads(rows[0]["traits"]) == {"Favourite color": "blue"}
    assert rows[1]["traits"] is None
    assert report.extra_columns == ["Favourite color"]


def test_reimporting_the_same_file_changes_nothing(warehouse, write) -> None:
    path = write("a.csv", GOOD)
    import_file(path, "accounts", warehouse)
    before = stored(warehouse)
    again = import_file(path, "accounts", warehouse)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)
    assert stored(warehouse) == before


def test_a_changed_row_is_updated_in_place(warehouse, write) -> None:
    import_file(write("a.csv", GOOD), "accounts", warehouse)
    changed = GOOD.replace("A2,Globex,15", "A2,Globex,16").replace("A3,Initech,30,", "A4,New,1,")
    report = import_file(write("b.csv", changed), "accounts", warehouse)
    assert (report.inserted, report.updated, report.unchanged) == (1, 1, 1)
    rows = {r["account_id"]: r for r in stored(warehouse)}
    assert rows["A2"]["employees"] == 16
    assert set(rows) == {"A1", "A2", "A3", "A4"}


def test_column_names_match_whatever_their_case(warehouse, write) -> None:
    text = "Account ID,NAME,Created At\nA1,Acme,2024-01-01\n"
    report = import_file(write("a.csv", text), "accounts", warehouse)
    assert report.inserted == 1
    assert stored(warehouse)[0]["name"] == "Acme"


def test_bad_values_are_rejected_with_line_column_and_reason(warehouse, write, tmp_path) -> None:
    text = (
        "account_id,name,employees,created_at\n"
        "A1,Acme,120,2024-01-05\n"
        "A2,Globex,lots,2024-01-05\n"
        "A3,Initech,30,2024-13-45\n"
        "A4,Umbrella,-5,2024-01-05\n"
        "A5,Hooli,10,1899-12-31\n"
        "A6,Stark,10,2024-01-06\n"
    )
    report = import_file(write("a.csv", text), "accounts", warehouse, quarantine_dir=tmp_path / "q")
    problems = {(r.line, r.column, r.reason) for r in report.rejections}
    assert problems == {
        (3, "employees", "not a whole number"),
        (4, "created_at", "not a date or time"),
        (5, "employees", "must not be negative"),
        (6, "created_at", "date out of range (1970 to 2099)"),
    }
    assert [r["account_id"] for r in stored(warehouse)] == ["A1", "A6"]
    assert report.inserted + report.rejected == 6  # nothing lost


def test_rejected_rows_are_quarantined_as_they_were(warehouse, write, tmp_path) -> None:
    text = "account_id,name,employees\nA1,Acme,1\nA2,Globex,many\n"
    report = import_file(write("a.csv", text), "accounts", warehouse, quarantine_dir=tmp_path / "q")
    assert report.quarantine_file is not None
    assert report.quarantine_file.parent == tmp_path / "q"
    with report.quarantine_file.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1
    assert rows[0]["line"] == "3"
    assert rows[0]["account_id"] == "A2"
    assert rows[0]["employees"] == "many"
    assert "not a whole number" in rows[0]["errors"]


def test_duplicate_ids_in_one_file_keep_the_first(warehouse, write) -> None:
    text = "account_id,name\nA1,First\nA2,Other\nA1,Second\n"
    report = import_file(write("a.csv", text), "accounts", warehouse)
    assert [(r.line, r.reason) for r in report.rejections] == [
        (4, "duplicate account_id (first on line 2)")
    ]
    assert {r["account_id"]: r["name"] for r in stored(warehouse)} == {"A1": "First", "A2": "Other"}


def test_a_duplicate_of_a_rejected_row_is_kept(warehouse, write) -> None:
    text = "account_id,employees\nA1,bad\nA1,5\n"
    report = import_file(write("a.csv", text), "accounts", warehouse)
    assert [r.line for r in report.rejections] == [2]
    assert stored(warehouse)[0]["employees"] == 5


def test_a_missing_required_column_names_it(warehouse, write) -> None:
    with pytest.raises(ImportFileError, match=r"missing required column.*account_id"):
        import_file(write("a.csv", "name,plan\nAcme,growth\n"), "accounts", warehouse)


def test_a_missing_required_value_is_rejected(warehouse, write) -> None:
    text = "account_id,name\n,Nameless\nA2,Globex\n"
    report = import_file(write("a.csv", text), "accounts", warehouse)
    assert [(r.line, r.column, r.reason) for r in report.rejections] == [
        (2, "account_id", "a value is required")
    ]


def test_multiline_values_keep_the_line_numbers_right(warehouse, write) -> None:
    text = 'account_id,name,employees\nA1,"Two\nlines",1\nA2,Globex,x\n'
    report = import_file(write("a.csv", text), "accounts", warehouse)
    assert [r.line for r in report.rejections] == [4]
    assert stored(warehouse)[0]["name"] == "Two\nlines"


def test_semicolon_separated_files_are_read(warehouse, write) -> None:
    report = import_file(write("a.csv", "account_id;name\nA1;Acme\n"), "accounts", warehouse)
    assert report.inserted == 1


def test_a_row_with_the_wrong_number_of_fields_is_rejected(warehouse, write) -> None:
    text = "account_id,name\nA1,Acme\nA2,Globex,extra\nA3,Initech\n"
    report = import_file(write("a.csv", text), "accounts", warehouse)
    assert [(r.line, r.reason) for r in report.rejections] == [(3, "expected 2 fields, found 3")]
    assert report.inserted == 2


def test_unknown_kind_and_missing_file_are_clear(warehouse, write, tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="unknown kind 'deals'"):
        import_file(write("a.csv", GOOD), "deals", warehouse)
    with pytest.raises(ImportFileError, match="no such file"):
        import_file(tmp_path / "missing.csv", "accounts", warehouse)
