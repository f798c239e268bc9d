"""Rules compiled to Ibis, on every backend, against days worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from facts_fixtures import Row, achieved_days, anchors, event, load_sources, rule
from ibis.backends import BaseBackend

from tenure.engine.rules import rule_achieved

D, T = dt.date, dt.datetime


def test_event_counts_accumulate_from_the_anchor(backend: BaseBackend) -> None:
    events = [
        # A, anchored Mon 4 March: 30 messages before the anchor do not count; then
        # 40 + 40 + 19 = 99 by the 6th, so the 100th is sent on the 7th.
        *event("A", "a1", "message_sent", D(2024, 3, 1), count=30),
        *event("A", "a1", "message_sent", D(2024, 3, 4), count=40),
        *event("A", "a2", "message_sent", D(2024, 3, 5), count=40),
        *event("A", "a1", "message_sent", D(2024, 3, 6), count=19),
        *event("A", "a2", "message_sent", D(2024, 3, 7), count=1),
        *event("A", "a2", "message_sent", D(2024, 3, 8), count=50),
        # Features: inbox, inbox, reports, inbox, search: the third distinct one on the 10th.
        *event("A", "a1", "core_feature_used", D(2024, 3, 4), feature="inbox"),
        *event("A", "a2", "core_feature_used", D(2024, 3, 5), feature="inbox"),
        *event("A", "a1", "core_feature_used", D(2024, 3, 6), feature="reports"),
        *event("A", "a1", "core_feature_used", D(2024, 3, 9), feature="inbox"),
        *event("A", "a2", "core_feature_used", D(2024, 3, 10), feature="search"),
        # B, anchored on the 10th, sent its messages before.
        *event("B", "b1", "message_sent", D(2024, 3, 5), count=200),
    ]
    sources = load_sources(backend, events=events)
    at = anchors(backend, {"A": D(2024, 3, 4), "B": D(2024, 3, 10)})
    found = achieved_days(
        sources,
        {
            "100": (rule({"event": "message_sent", "at_least": 100}), at),
            "first": (rule({"event": "message_sent"}), at),
            "3 features": (
                rule({"event": "core_feature_used", "distinct": "feature", "at_least": 3}),
                at,
            ),
            "reports": (rule({"event": "core_feature_used", "where": {"feature": "reports"}}), at),
            "2 reports": (
                rule(
                    {"event": "core_feature_used", "where": {"feature": "reports"}, "at_least": 2}
                ),
                at,
            ),
        },
    )
    assert found == {
        "100": {"A": D(2024, 3, 7)},
        "first": {"A": D(2024, 3, 4)},
        "3 features": {"A": D(2024, 3, 10)},
        "reports": {"A": D(2024, 3, 6)},
        "2 reports": {},
    }


def test_a_filter_on_an_untracked_property_is_refused(backend: BaseBackend) -> None:
    sources = load_sources(backend)
    at = anchors(backend, {})
    with pytest.raises(ValueError, match="no property 'channel'"):
        rule_achieved(
            rule({"event": "message_sent", "where": {"channel": "slack"}}), sources, anchors=at
        )
    with pytest.raises(ValueError, match="no property 'color'"):
        rule_achieved(
            rule({"event": "core_feature_used", "distinct": "color"}), sources, anchors=at
        )


def _days(account: str, name: str, *days: dt.date) -> list[Row]:
    return [row for day in days for row in event(account, f"{account}1", name, day)]


def test_active_days_count_whole_iso_weeks_in_a_row(backend: BaseBackend) -> None:
    events = [
        # A, anchored Wed 6 March. Week of 4 March: 3 login days from the 6th (the
        # 4th and 5th are before the anchor); week of the 11th: 2; weeks of the 18th
        # and 25th: 3 each, so two weeks in a row end on Sunday the 31st.
        *_days("A", "login", D(2024, 3, 4), D(2024, 3, 5), D(2024, 3, 6), D(2024, 3, 7)),
        *_days("A", "login", D(2024, 3, 8), D(2024, 3, 11), D(2024, 3, 13), D(2024, 3, 13)),
        *_days("A", "login", D(2024, 3, 18), D(2024, 3, 19), D(2024, 3, 20)),
        *_days("A", "login", D(2024, 3, 25), D(2024, 3, 30), D(2024, 3, 31)),
        # Any event: a message on the 12th makes the week of the 11th active 3 days.
        *_days("A", "message_sent", D(2024, 3, 12)),
        # C: Fri–Sun then Mon–Wed, across the new year: weeks of 23 and 30 December.
        *_days("C", "login", D(2024, 12, 27), D(2024, 12, 28), D(2024, 12, 29)),
        *_days("C", "login", D(2024, 12, 30), D(2024, 12, 31), D(2025, 1, 1)),
    ]
    sources = load_sources(backend, events=events)
    at = anchors(backend, {"A": D(2024, 3, 6), "C": D(2024, 12, 23)})
    found = achieved_days(
        sources,
        {
            "login 3×2": (rule({"active_days_per_week": 3, "weeks": 2, "event": "login"}), at),
            "login 3×1": (rule({"active_days_per_week": 3, "event": "login"}), at),
            "any 3×2": (rule({"active_days_per_week": 3, "weeks": 2}), at),
            "login 4×1": (rule({"active_days_per_week": 4, "event": "login"}), at),
        },
    )
    assert found == {
        "login 3×2": {"A": D(2024, 3, 31), "C": D(2025, 1, 5)},
        "login 3×1": {"A": D(2024, 3, 10), "C": D(2024, 12, 29)},
        "any 3×2": {"A": D(2024, 3, 17), "C": D(2025, 1, 5)},
        "login 4×1": {},
    }


def test_share_of_contacts_counts_contacts_created_by_each_day(backend: BaseBackend) -> None:
    contacts: list[Row] = [
        # A: three members on 1 March (a4 has no creation time: always a member).
        {"contact_id": "a1", "account_id": "A", "created_at": T(2024, 2, 1)},
        {"contact_id": "a2", "account_id": "A", "created_at": T(2024, 2, 1)},
        {"contact_id": "a3", "account_id": "A", "created_at": T(2024, 3, 10)},
        {"contact_id": "a4", "account_id": "A"},
        # B: b2 joins later, so on the 2nd b1 alone is 100% of the team.
        {"contact_id": "b1", "account_id": "B", "created_at": T(2024, 2, 1)},
        {"contact_id": "b2", "account_id": "B", "created_at": T(2024, 3, 10)},
        # C: c2 messaged before being created: counts from its creation on the 20th.
        {"contact_id": "c1", "account_id": "C", "created_at": T(2024, 3, 1)},
        {"contact_id": "c2", "account_id": "C", "created_at": T(2024, 3, 20)},
        # D: its only contact messaged before the anchor: the share holds at the anchor.
        {"contact_id": "d1", "account_id": "D", "created_at": T(2024, 2, 1)},
    ]
    events = [
        # A: a1 before the anchor (1/3), a2 on the 5th (2/3), a3 joins the 10th (2/4).
        *event("A", "a1", "message_sent", D(2024, 2, 20)),
        *event("A", "a2", "message_sent", D(2024, 3, 5)),
        *event("B", "b1", "message_sent", D(2024, 3, 2)),
        *event("C", "c2", "message_sent", D(2024, 3, 5)),
        *event("D", "d1", "message_sent", D(2024, 2, 10)),
    ]
    sources = load_sources(backend, contacts=contacts, events=events)
    at = anchors(
        backend, {"A": D(2024, 3, 1), "B": D(2024, 3, 1), "C": D(2024, 3, 1), "D": D(2024, 3, 15)}
    )
    found = achieved_days(
        sources,
        {
            "half": (rule({"share_of_contacts": "message_sent", "at_least": 0.5}), at),
            "60%": (rule({"share_of_contacts": "message_sent", "at_least": 0.6}), at),
            "all": (rule({"share_of_contacts": "message_sent", "at_least": 1}), at),
        },
    )
    assert found == {
        "half": {"A": D(2024, 3, 5), "B": D(2024, 3, 2), "C": D(2024, 3, 20), "D": D(2024, 3, 15)},
        "60%": {"A": D(2024, 3, 5), "B": D(2024, 3, 2), "D": D(2024, 3, 15)},
        "all": {"B": D(2024, 3, 2), "D": D(2024, 3, 15)},
    }


SUBSCRIPTIONS: list[Row] = [
    # A: an annual term, renewed 3 days after it ended at the same price.
    {"account_id": "A", "product": "chat", "mrr": 100.0, "billing_period": "annual",
     "started_at": T(2023, 1, 15), "ended_at": T(2024, 1, 15)},
    {"account_id": "A", "product": "chat", "mrr": 100.0, "billing_period": "annual",
     "started_at": T(2024, 1, 18, 9)},
    # B: moved from 100 to 150 on 1 July (one row ends, the next starts); an add-on
    # product from 1 May (the first row of its product: no upgrade, though dearer).
    {"account_id": "B", "product": "chat", "mrr": 100.0,
     "started_at": T(2023, 3, 1), "ended_at": T(2023, 7, 1)},
    {"account_id": "B", "product": "chat", "mrr": 150.0, "started_at": T(2023, 7, 1)},
    {"account_id": "B", "product": "analytics", "mrr": 500.0, "started_at": T(2023, 5, 1)},
    # C: back at a higher price after a 61-day gap: a reactivation, neither.
    {"account_id": "C", "product": "chat", "mrr": 100.0,
     "started_at": T(2023, 1, 1), "ended_at": T(2023, 6, 1)},
    {"account_id": "C", "product": "chat", "mrr": 200.0, "started_at": T(2023, 8, 1)},
    # D: the add-on starts the day the main product ends: never two at once.
    {"account_id": "D", "product": "chat", "mrr": 100.0,
     "started_at": T(2023, 1, 1), "ended_at": T(2023, 4, 1, 10)},
    {"account_id": "D", "product": "analytics", "mrr": 50.0, "started_at": T(2023, 4, 1, 12)},
]  # fmt: skip


def test_subscription_rules_detect_starts_renewals_upgrades_products(
    backend: BaseBackend,
) -> None:
    sources = load_sources(backend, subscriptions=SUBSCRIPTIONS)
    starts = {"A": D(2023, 1, 15), "B": D(2023, 3, 1), "C": D(2023, 1, 1), "D": D(2023, 1, 1)}
    at = anchors(backend, starts)
    late = anchors(backend, {"B": D(2023, 8, 1)}, name="late")
    found = achieved_days(
        sources,
        {
            "started": (rule({"subscription": "started"}), at),
            "renewed": (rule({"subscription": "renewed"}), at),
            "upgraded": (rule({"subscription": "upgraded"}), at),
            "2 products": (rule({"products_owned": 2}), at),
            "late started": (rule({"subscription": "started"}), late),
            "late upgraded": (rule({"subscription": "upgraded"}), late),
            "late 2 products": (rule({"products_owned": 2}), late),
        },
    )
    assert found == {
        "started": starts,
        "renewed": {"A": D(2024, 1, 18), "B": D(2023, 7, 1)},
        "upgraded": {"B": D(2023, 7, 1)},
        "2 products": {"B": D(2023, 5, 1)},
        # State rules already true at the anchor hold from it; occurrences do not.
        "late started": {"B": D(2023, 8, 1)},
        "late upgraded": {},
        "late 2 products": {"B": D(2023, 8, 1)},
    }


def test_tickets_nps_attributes_and_combinations(backend: BaseBackend) -> None:
    accounts: list[Row] = [
        {"account_id": "A", "plan": "pro", "created_at": T(2024, 1, 1)},
        {"account_id": "B", "plan": "basic", "traits": '{"tier": "gold"}'},
    ]
    tickets = [
        {"account_id": "A", "created_at": created}
        for created in (T(2024, 2, 20), T(2024, 3, 3, 9), T(2024, 3, 3, 17), T(2024, 3, 10))
    ]
    surveys = [
        # A: a1's 9 before the anchor was superseded by a 6; a2 answers 8, then 10.
        {"account_id": "A", "contact_id": "a1", "survey": "nps", "score": 9,
         "responded_at": T(2024, 2, 15)},
        {"account_id": "A", "contact_id": "a1", "survey": "nps", "score": 6,
         "responded_at": T(2024, 2, 20)},
        {"account_id": "A", "contact_id": "a2", "survey": "NPS", "score": 8,
         "responded_at": T(2024, 3, 5)},
        {"account_id": "A", "contact_id": "a2", "survey": "csat", "score": 10,
         "responded_at": T(2024, 3, 6)},
        {"account_id": "A", "contact_id": "a2", "survey": "nps", "score": 10,
         "responded_at": T(2024, 3, 12)},
        # B: a 9 before the anchor, still its contact's latest: holds at the anchor.
        {"account_id": "B", "contact_id": "b1", "survey": "nps", "score": 9,
         "responded_at": T(2024, 2, 15)},
    ]  # fmt: skip
    sources = load_sources(backend, accounts=accounts, tickets=tickets, survey_responses=surveys)
    at = anchors(backend, {"A": D(2024, 3, 1), "B": D(2024, 3, 1)})
    three_tickets = {"tickets": "opened", "at_least": 3}
    found = achieved_days(
        sources,
        {
            "2 tickets": (rule({"tickets": "opened", "at_least": 2}), at),
            "3 tickets": (rule(three_tickets), at),
            "4 tickets": (rule({"tickets": "opened", "at_least": 4}), at),
            "nps 9": (rule({"latest_nps": 9}), at),
            "plan": (rule({"attribute": "plan", "one_of": ["pro", "enterprise"]}), at),
            "tier": (rule({"attribute": "tier", "one_of": ["gold"]}), at),
            "any": (rule({"any": [three_tickets, {"latest_nps": 9}]}), at),
            "all": (rule({"all": [three_tickets, {"latest_nps": 9}]}), at),
        },
    )
    assert found == {
        "2 tickets": {"A": D(2024, 3, 3)},
        "3 tickets": {"A": D(2024, 3, 10)},
        "4 tickets": {},
        "nps 9": {"A": D(2024, 3, 12), "B": D(2024, 3, 1)},
        "plan": {"A": D(2024, 3, 1)},
        "tier": {"B": D(2024, 3, 1)},
        "any": {"A": D(2024, 3, 10), "B": D(2024, 3, 1)},
        "all": {"A": D(2024, 3, 12)},
    }
