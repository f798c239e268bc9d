"""The behaviour the product relies on: the facts carry the hidden health signal."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

from tenure.sources.synthetic import generate

ACCOUNTS, MONTHS = 400, 12


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    out = tmp_path_factory.mktemp("synthetic_signal")
    generate(out, accounts=ACCOUNTS, months=MONTHS, seed=3)
    con = duckdb.connect()
    for name in ("accounts", "contacts", "tickets", "survey_responses"):
        con.execute(f"create view {name} as select * from '{out / name}.parquet'")
    con.execute(f"create view events as select * from '{out / 'events' / '*.parquet'}'")
    for name in ("account_months", "accounts"):
        con.execute(f"create view truth_{name} as select * from '{out / 'truth' / name}.parquet'")
    return con


def columns(db: duckdb.DuckDBPyConnection, sql: str) -> list[np.ndarray]:
    rows = db.execute(sql).fetchall()
    assert rows, sql
    return [np.array(c, dtype=float) for c in zip(*rows, strict=True)]


def ranks(x: np.ndarray) -> np.ndarray:
    """Ranks 1..n, ties sharing their mean rank."""
    order = np.argsort(x, kind="stable")
    r = np.empty(x.size)
    r[order] = np.arange(1, x.size + 1)
    _, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    sums = np.bincount(inverse, weights=r)
    return (sums / counts)[inverse]


def auc(score: np.ndarray, positive: np.ndarray) -> float:
    """Area under the ROC curve of `score` for `positive` (Mann-Whitney U / n1 n0)."""
    r = ranks(score)
    n1, n0 = positive.sum(), (~positive).sum()
    return float((r[positive].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.corrcoef(ranks(x), ranks(y))[0, 1])


def test_auc_helper_is_right_on_known_cases():
    assert auc(np.array([1.0, 2, 3, 4]), np.array([False, False, True, True])) == 1.0
    assert auc(np.array([1.0, 1, 1, 1]), np.array([False, True, False, True])) == 0.5


def test_low_health_the_month_before_predicts_churn(db: duckdb.DuckDBPyConnection):
    health, churned = columns(db, """
        select lag(latent_health) over w, churned::int from truth_account_months
        window w as (partition by account_id order by month)
        qualify lag(latent_health) over w is not null""")  # fmt: skip
    assert churned.sum() >= 30
    assert auc(-health, churned == 1) > 0.65


def test_engagement_follows_health(db: duckdb.DuckDBPyConnection):
    health, events = columns(db, """
        select t.latent_health, count(e.message_id) / any_value(n.contacts)
        from truth_account_months t
        join (select account_id, count(*) contacts from contacts group by 1) n using (account_id)
        left join events e on e.account_id = t.account_id
            and date_trunc('month', e.timestamp) = t.month
        where not t.churned group by t.account_id, t.month, t.latent_health""")  # fmt: skip
    assert spearman(health, events) > 0.3


def test_nps_follows_health_and_tickets_rise_when_it_falls(db: duckdb.DuckDBPyConnection):
    health, score = columns(db, """
        select t.latent_health, s.score from survey_responses s join truth_account_months t
        on t.account_id = s.account_id and t.month = date_trunc('month', s.responded_at)
        where s.survey = 'nps'""")  # fmt: skip
    assert spearman(health, score) > 0.4
    health, tickets = columns(db, """
        select t.latent_health, count(k.ticket_id) from truth_account_months t
        left join tickets k on k.account_id = t.account_id
            and date_trunc('month', k.created_at) = t.month
        group by t.account_id, t.month, t.latent_health""")  # fmt: skip
    low, high = health < np.quantile(health, 0.25), health > np.quantile(health, 0.75)
    assert tickets[low].mean() > 1.5 * tickets[high].mean()


def test_annual_contracts_churn_at_renewal(db: duckdb.DuckDBPyConnection):
    (at_renewal,) = columns(db, """
        select t.renewal_month::int from truth_account_months t
        join truth_accounts a using (account_id)
        where t.churned and a.billing_period = 'annual'""")  # fmt: skip
    assert at_renewal.size >= 10
    assert at_renewal.mean() > 0.8


def test_seasonal_accounts_are_active_in_their_season(db: duckdb.DuckDBPyConnection):
    seasonal, in_peak, events = columns(db, """
        select a.seasonal::int,
               list_contains(string_split(a.peak_months, ',')::int[], month(t.month))::int,
               count(e.message_id)
        from truth_account_months t join truth_accounts a using (account_id)
        left join events e on e.account_id = t.account_id
            and date_trunc('month', e.timestamp) = t.month
        where not t.churned and t.tenure_months > 0
        group by t.account_id, t.month, a.seasonal, a.peak_months""")  # fmt: skip
    peak = (seasonal == 1) & (in_peak == 1)
    off = (seasonal == 1) & (in_peak == 0)
    assert peak.sum() >= 10
    assert events[peak].mean() > 4 * events[off].mean()


def test_weekends_are_quiet_and_new_users_ramp_up(db: duckdb.DuckDBPyConnection):
    weekend = db.execute("select avg((dayofweek(timestamp) in (0, 6))::int) from events").fetchone()
    assert weekend is not None
    assert 0 < weekend[0] < 0.15
    first_week, later = columns(db, """
        select count(*) filter (where e.timestamp < c.created_at + interval 7 day) / 7,
               count(*) filter (where e.timestamp >= c.created_at + interval 21 day
                                and e.timestamp < c.created_at + interval 28 day) / 7
        from events e join contacts c using (contact_id)
        where c.created_at >= '2026-01-01' and c.created_at < '2026-09-01'
          and e.event in ('login', 'core_feature_used', 'message_sent')""")  # fmt: skip
    assert first_week[0] < 0.8 * later[0]
