"""Exports from common tools load with --preset and no renaming by hand."""

from __future__ import annotations

import pytest

from tenure.sources.files import ImportFileError, import_file
from tenure.sources.files.presets import normalize


def test_normalize_ignores_case_spaces_and_punctuation() -> None:
    assert normalize(" Date/Time Opened ") == "date_time_opened"
    assert normalize("Record ID") == "record_id"


def test_hubspot_companies(warehouse, write) -> None:
    text = (
        "Record ID,Company name,Company owner,Number of Employees,Create Date,Lifecycle Stage\n"
        "1001,Acme,Jane Doe,120,2024-01-05 10:00,customer\n"
    )
    report = import_file(write("hs.csv", text), "accounts", warehouse, preset="hubspot")
    row = warehouse.table("accounts").to_pyarrow().to_pylist()[0]
    assert report.inserted == 1
    assert (row["account_id"], row["name"], row["owner"], row["employees"]) == (
        "1001",
        "Acme",
        "Jane Doe",
        120,
    )
    assert report.extra_columns == ["Lifecycle Stage"]


def test_zendesk_tickets(warehouse, write) -> None:
    text = (
        "Id,Organization,Requester,Created at,Solved at,Priority,Status,Satisfaction Score\n"
        "77,acme,jane@acme.com,2024-02-01 09:00,2024-02-02 10:00,high,solved,Good\n"
    )
    import_file(write("zd.csv", text), "tickets", warehouse, preset="zendesk")
    row = warehouse.table("tickets").to_pyarrow().to_pylist()[0]
    assert (row["ticket_id"], row["account_id"], row["satisfaction"]) == ("77", "acme", "Good")
    assert row["solved_at"] is not None


def test_salesforce_contracts_as_subscriptions(warehouse, write) -> None:
    text = (
        "Contract Number,Account ID,Contract Start Date,Contract End Date,"
        "Monthly Recurring Revenue,Status\n"
        '00000101,001A,1/1/2024,12/31/2024,"1,500.00",Activated\n'
    )
    import_file(write("sf.csv", text), "subscriptions", warehouse, preset="salesforce")
    row = warehouse.table("subscriptions").to_pyarrow().to_pylist()[0]
    assert (row["subscription_id"], row["mrr"], row["status"]) == ("00000101", 1500.0, "Activated")


def test_delighted_responses_default_to_nps(warehouse, write) -> None:
    text = "Response ID,Score,Comment,Email,Response Timestamp\nr1,9,Great,a@b.c,2024-03-01\n"
    import_file(write("dl.csv", text), "surveys", warehouse, preset="delighted")
    row = warehouse.table("survey_responses").to_pyarrow().to_pylist()[0]
    assert (row["survey"], row["score"], row["contact_id"]) == ("nps", 9, "a@b.c")


def test_an_unknown_preset_lists_the_known_ones(warehouse, write) -> None:
    with pytest.raises(ImportFileError, match="hubspot, salesforce, zendesk, delighted"):
        import_file(write("a.csv", "id\n1\n"), "accounts", warehouse, preset="pipedrive")
