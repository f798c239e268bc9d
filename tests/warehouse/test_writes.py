"""`upsert`: new keys inserted, changed rows updated, identical rows left alone."""

from __future__ import annotations

from datetime import timedelta

from ibis.backends import BaseBackend

from tenure.warehouse.schemas import FACT_TABLES
from tenure.warehouse.writes import WriteCounts, upsert

from .samples import as_memtable, sample_rows, stored

ACCOUNTS = FACT_TABLES["accounts"]
SUBSCRIPTIONS = FACT_TABLES["subscriptions"]


def test_a_first_write_inserts_every_row(backend: BaseBackend) -> None:
    rows = sample_rows(SUBSCRIPTIONS, 4)

    counts = upsert(backend, SUBSCRIPTIONS, as_memtable(SUBSCRIPTIONS, rows))

    assert counts == WriteCounts(inserted=4, updated=0, unchanged=0)
    assert stored(backend, SUBSCRIPTIONS) == rows


def test_writing_the_same_rows_again_changes_nothing(backend: BaseBackend) -> None:
    rows = sample_rows(SUBSCRIPTIONS, 4)  # the last one NULL but for its key
    upsert(backend, SUBSCRIPTIONS, as_memtable(SUBSCRIPTIONS, rows))

    counts = upsert(backend, SUBSCRIPTIONS, as_memtable(SUBSCRIPTIONS, rows))

    assert counts == WriteCounts(inserted=0, updated=0, unchanged=4)
    assert stored(backend, SUBSCRIPTIONS) == rows


def test_a_changed_value_updates_and_a_new_key_inserts(backend: BaseBackend) -> None:
    first, second, third = sample_rows(SUBSCRIPTIONS, 4)[:3]
    upsert(backend, SUBSCRIPTIONS, as_memtable(SUBSCRIPTIONS, [first, second]))
    changed = {**second, "mrr": second["mrr"] + 0.25}

    counts = upsert(backend, SUBSCRIPTIONS, as_memtable(SUBSCRIPTIONS, [first, changed, third]))

    assert counts == WriteCounts(inserted=1, updated=1, unchanged=1)
    assert stored(backend, SUBSCRIPTIONS) == [first, changed, third]


def test_null_to_value_value_to_null_and_a_microsecond_are_changes(backend: BaseBackend) -> None:
    rows = sample_rows(ACCOUNTS, 4)  # accounts-3 is NULL but for its key
    upsert(backend, ACCOUNTS, as_memtable(ACCOUNTS, rows))
    new = [
        {**rows[0], "churned_at": None, "employees": None},  # value -> NULL
        {**rows[1], "created_at": rows[1]["created_at"] + timedelta(microseconds=1)},
        rows[2],
        {**rows[3], "employees": 12, "traits": '{"tier": "Ünïcode"}'},  # NULL -> value
    ]

    counts = upsert(backend, ACCOUNTS, as_memtable(ACCOUNTS, new))

    assert counts == WriteCounts(inserted=0, updated=3, unchanged=1)
    assert stored(backend, ACCOUNTS) == new


def test_only_the_written_table_changes(backend: BaseBackend) -> None:
    accounts = sample_rows(ACCOUNTS, 2)
    upsert(backend, ACCOUNTS, as_memtable(ACCOUNTS, accounts))

    upsert(backend, SUBSCRIPTIONS, as_memtable(SUBSCRIPTIONS, sample_rows(SUBSCRIPTIONS, 2)))

    assert stored(backend, ACCOUNTS) == accounts
    assert not [name for name in backend.list_tables() if name.startswith("_tenure")]
