"""Files a user should never have sent: each gets a clear, located answer."""

from __future__ import annotations

import pytest

from tenure.sources.files import ImportFileError, import_file


def test_an_empty_file_says_so(warehouse, write) -> None:
    with pytest.raises(ImportFileError, match="the file is empty"):
        import_file(write("a.csv", ""), "accounts", warehouse)


def test_a_header_without_rows_says_so(warehouse, write) -> None:
    with pytest.raises(ImportFileError, match="header but no rows"):
        import_file(write("a.csv", "account_id,name\n"), "accounts", warehouse)


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00rest-of-a-workbook", "Excel workbook"),
        (b"%PDF-1.7\n%binary", "PDF document"),
        (b'{"accounts": [{"id": 1}]}', "looks like JSON"),
        (b"\x00\x01\x02\x03garbage\x00\x00", "binary data"),
    ],
)
def test_a_file_that_is_not_csv_says_what_it_looks_like(warehouse, write, content, what) -> None:
    with pytest.raises(ImportFileError, match=what):
        import_file(write("accounts.csv", content), "accounts", warehouse)


def test_lines_in_another_encoding_are_rejected_and_the_rest_load(warehouse, write) -> None:
    content = "account_id,name\nA1,Acme\nA2,Société Générale\nA3,Initech\n".encode("cp1252")
    report = import_file(write("a.csv", content), "accounts", warehouse)
    assert [(r.line, r.reason) for r in report.rejections] == [
        (3, "not valid UTF-8 text; if the file has another encoding, use --encoding")
    ]
    assert report.inserted == 2


def test_the_right_encoding_loads_every_line(warehouse, write) -> None:
    content = "account_id,name\nA1,Acme\nA2,Société Générale\n".encode("cp1252")
    report = import_file(write("a.csv", content), "accounts", warehouse, encoding="cp1252")
    assert report.inserted == 2
    names = warehouse.table("accounts").name.to_pyarrow().to_pylist()
    assert "Société Générale" in names


def test_a_file_mostly_in_another_encoding_fails_with_a_hint(warehouse, write) -> None:
    rows = "".join(f"A{i},Café {i}\n" for i in range(40))
    content = ("account_id,name\n" + rows).encode("utf-16")
    with pytest.raises(ImportFileError, match="--encoding"):
        import_file(write("a.csv", content), "accounts", warehouse)


def test_a_utf8_byte_order_mark_is_ignored(warehouse, write) -> None:
    content = "account_id,name\nA1,Acme\n".encode("utf-8-sig")
    assert import_file(write("a.csv", content), "accounts", warehouse).inserted == 1


def test_negative_mrr_and_a_term_ending_before_it_starts_are_rejected(warehouse, write) -> None:
    text = (
        "subscription_id,account_id,mrr,started_at,ended_at\n"
        "S1,A1,100,2024-01-01,2025-01-01\n"
        "S2,A1,-50,2024-01-01,\n"
        'S3,A1,"$1,200.50",2024-01-01,2023-12-31\n'
        'S4,A1,"$1,200.50",2024-01-01,\n'
    )
    report = import_file(write("s.csv", text), "subscriptions", warehouse)
    assert [(r.line, r.column, r.reason) for r in report.rejections] == [
        (3, "mrr", "must not be negative"),
        (4, "ended_at", "is before started_at"),
    ]
    mrr = warehouse.table("subscriptions").order_by("subscription_id").mrr.to_pyarrow()
    assert mrr.to_pylist() == [100.0, 1200.5]


def test_a_value_outside_its_choices_is_rejected(warehouse, write) -> None:
    text = "touch_id,account_id,kind,at\nT1,A1,Call,2024-01-01\nT2,A1,carrier pigeon,2024-01-02\n"
    report = import_file(write("t.csv", text), "touches", warehouse)
    assert [(r.line, r.column) for r in report.rejections] == [(3, "kind")]
    assert warehouse.table("touches").kind.to_pyarrow().to_pylist() == ["call"]


def test_an_nps_score_above_ten_is_rejected(warehouse, write) -> None:
    text = "response_id,survey,score,responded_at\nR1,nps,9,2024-01-01\nR2,nps,11,2024-01-01\n"
    report = import_file(write("r.csv", text), "surveys", warehouse)
    assert [(r.line, r.reason) for r in report.rejections] == [(3, "must be ≤ 10")]
