"""The files `generate` writes: names, schemas, determinism and referential integrity."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tenure.sources.synthetic import DEFAULT_END_DATE, GenerationSummary, generate
from tenure.sources.synthetic.tables import fixed_width_ids
from tenure.warehouse.schemas import FACT_TABLES

ACCOUNTS, MONTHS = 200, 6
EVENT_PARTS = [f"events/part-2026-{m:02d}.parquet" for m in range(5, 11)]


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerationSummary]:
    out = tmp_path_factory.mktemp("synthetic")
    return out, generate(out, accounts=ACCOUNTS, months=MONTHS, seed=7)


@pytest.fixture(scope="module")
def db(history: tuple[Path, GenerationSummary]) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with one view per written table."""
    out, _ = history
    con = duckdb.connect()
    for name in FACT_TABLES:
        source = out / "events" / "*.parquet" if name == "events" else out / f"{name}.parquet"
        con.execute(f"create view {name} as select * from read_parquet('{source}')")
    con.execute(f"create view truth as select * from '{out / 'truth' / 'account_months.parquet'}'")
    return con


def scalar(db: duckdb.DuckDBPyConnection, sql: str) -> object:
    row = db.execute(sql).fetchone()
    assert row is not None
    return row[0]


def table_digest(path: Path) -> str:
    """SHA-256 of a Parquet file's content read back as an Arrow table."""
    sink = pa.BufferOutputStream()
    table = pq.read_table(path).combine_chunks()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()


def digests(out: Path) -> dict[str, str]:
    return {str(p.relative_to(out)): table_digest(p) for p in sorted(out.rglob("*.parquet"))}


def test_writes_one_file_per_table_month_and_truth(history: tuple[Path, GenerationSummary]):
    out, summary = history
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*.parquet"))
    facts = [f"{name}.parquet" for name in FACT_TABLES if name != "events"]
    truth = ["truth/account_months.parquet", "truth/accounts.parquet"]
    assert written == sorted(facts + EVENT_PARTS + truth)
    recorded = json.loads((out / "generation.json").read_text())
    assert recorded == summary.to_json()


@pytest.mark.parametrize("name", sorted(FACT_TABLES))
def test_every_file_has_exactly_the_fact_table_schema(
    history: tuple[Path, GenerationSummary], name: str
):
    out, _ = history
    paths = [out / p for p in EVENT_PARTS] if name == "events" else [out / f"{name}.parquet"]
    expected = FACT_TABLES[name].schema.to_pyarrow()
    for path in paths:
        schema = pq.read_schema(path)
        assert [(f.name, f.type) for f in schema] == [(f.name, f.type) for f in expected]
        assert all(f.type != pa.timestamp("us", tz="UTC") for f in schema)


def test_summary_counts_rows_and_default_dates(
    history: tuple[Path, GenerationSummary], db: duckdb.DuckDBPyConnection
):
    _, summary = history
    assert summary.start_date == dt.date(2026, 5, 1)
    assert summary.end_date == DEFAULT_END_DATE == dt.date(2026, 10, 31)
    for name in FACT_TABLES:
        assert summary.rows[name] == scalar(db, f"select count(*) from {name}"), name
    assert summary.events == summary.rows["events"] > 10 * ACCOUNTS * MONTHS


def test_same_seed_same_data_and_other_seed_other_data(
    history: tuple[Path, GenerationSummary], tmp_path: Path
):
    out, _ = history
    generate(tmp_path / "again", accounts=ACCOUNTS, months=MONTHS, seed=7)
    generate(tmp_path / "other", accounts=ACCOUNTS, months=MONTHS, seed=8)
    first, again, other = digests(out), digests(tmp_path / "again"), digests(tmp_path / "other")
    assert first == again
    assert all(first[name] != other[name] for name in first)


def test_months_must_be_positive(tmp_path: Path):
    with pytest.raises(ValueError, match="months"):
        generate(tmp_path, accounts=10, months=0)


def test_keys_are_unique(db: duckdb.DuckDBPyConnection):
    for name, table in FACT_TABLES.items():
        duplicates = scalar(db, f"select count(*) - count(distinct {table.key}) from {name}")
        assert duplicates == 0, name
        assert scalar(db, f"select count(*) from {name} where {table.key} is null") == 0


def test_rows_reference_generated_accounts_and_contacts(db: duckdb.DuckDBPyConnection):
    for name in ("contacts", "subscriptions", "events", "tickets", "survey_responses", "touches"):
        orphans = (
            f"select count(*) from {name} where account_id not in (select account_id from accounts)"
        )
        assert scalar(db, orphans) == 0, name
    for name in ("events", "tickets", "survey_responses"):
        mismatched = f"""select count(*) from {name} r left join contacts c using (contact_id)
                         where c.account_id is null or c.account_id != r.account_id"""
        assert scalar(db, mismatched) == 0, name


def test_events_lie_in_the_history_and_in_each_contact_life(db: duckdb.DuckDBPyConnection):
    assert scalar(db, "select min(timestamp) >= '2026-05-01' from events")
    assert scalar(db, "select max(timestamp) < '2026-11-01' from events")
    early = """select count(*) from events e join contacts c using (contact_id)
               where e.timestamp < c.created_at"""
    assert scalar(db, early) == 0
    after_churn = """select count(*) from events e join accounts a using (account_id)
                     where e.timestamp >= a.churned_at"""
    assert scalar(db, after_churn) == 0
    assert scalar(db, "select count(*) from accounts where churned_at is not null") > 10


def test_events_have_the_expected_names_and_properties(db: duckdb.DuckDBPyConnection):
    names = {r[0] for r in db.execute("select distinct event from events").fetchall()}
    assert names >= {"signed_up", "account_created", "profile_completed", "setup_completed",
                     "tutorial_completed", "core_feature_used", "message_sent", "integration_added",
                     "login", "report_viewed", "community_post"}  # fmt: skip
    features = """select count(distinct properties->>'feature') from events
                  where event = 'core_feature_used'"""
    assert scalar(db, features) >= 5
    assert (
        scalar(
            db,
            """select count(*) from events
               where event = 'integration_added' and (properties->>'integration') is null""",
        )
        == 0
    )
    assert scalar(db, "select avg((anonymous_id is null)::int) from events") > 0.99
    assert (
        scalar(db, "select count(*) from events where contact_id is null or account_id is null")
        == 0
    )


def test_subscriptions_are_consistent_terms(db: duckdb.DuckDBPyConnection):
    assert scalar(db, "select count(*) from subscriptions where mrr < 0 or currency != 'USD'") == 0
    overlapping = """select count(*) from (
        select started_at, lag(ended_at) over w as previous_end,
               lag(started_at) over w as previous_start
        from subscriptions window w as (partition by account_id, product order by started_at))
        where previous_start is not null and (previous_end is null or started_at < previous_end)"""
    assert scalar(db, overlapping) == 0
    assert scalar(db, "select count(*) from subscriptions where ended_at <= started_at") == 0
    open_after_churn = """select count(*) from subscriptions s join accounts a using (account_id)
        where a.churned_at is not null and (s.status = 'active' or s.ended_at > a.churned_at)"""
    assert scalar(db, open_after_churn) == 0
    kinds = {
        r[0]
        for r in db.execute("select distinct properties->>'change' from subscriptions").fetchall()
    }
    assert {"new", "renewal", "upgrade"} <= kinds
    assert scalar(db, "select count(distinct product) from subscriptions") == 2


def test_tickets_and_surveys_are_well_formed(db: duckdb.DuckDBPyConnection):
    assert scalar(db, "select count(*) from tickets where solved_at <= created_at") == 0
    inconsistent = """select count(*) from tickets
        where (solved_at is null) != (status in ('new', 'open', 'pending'))"""
    assert scalar(db, inconsistent) == 0
    assert (
        scalar(
            db,
            """select count(*) from survey_responses
               where survey = 'nps' and score not between 0 and 10""",
        )
        == 0
    )
    assert (
        scalar(
            db,
            """select count(*) from survey_responses
               where survey = 'csat' and score not between 1 and 5""",
        )
        == 0
    )
    assert scalar(db, "select count(distinct survey) from survey_responses") == 2


def test_truth_covers_every_customer_month(db: duckdb.DuckDBPyConnection):
    expected = """select account_id, m::date as month from accounts,
        generate_series(date_trunc('month', greatest(created_at, '2026-05-01'::timestamp)),
                        date_trunc('month', coalesce(churned_at, '2026-10-31'::timestamp)),
                        interval 1 month) as g(m)"""
    differ = f"select count(*) from (({expected}) except (select account_id, month from truth))"
    assert scalar(db, differ) == 0
    assert scalar(db, "select count(*) from truth") == scalar(
        db, f"select count(*) from ({expected})"
    )
    assert scalar(db, "select count(*) from truth where latent_health not between 0 and 1") == 0


def test_fixed_width_ids_spell_the_numbers():
    ids = fixed_width_ids("x_", np.array([0, 42, 999_999]), 6)
    assert ids.to_pylist() == ["x_000000", "x_000042", "x_999999"]
    with pytest.raises(ValueError, match="digits"):
        fixed_width_ids("x_", np.array([10**6]), 6)
