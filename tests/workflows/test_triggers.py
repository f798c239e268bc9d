"""Each trigger on small hand-made facts, and playbook definitions that fail clearly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import ValidationError

from tenure.config import ConfigError, load_settings
from tenure.definitions import Definitions, Playbook
from tenure.workflows.facts import Account, DayResult, Facts
from tenure.workflows.triggers import hits

DAY = dt.date(2026, 10, 31)
BEFORE = DAY - dt.timedelta(days=1)
DEFS = Definitions(
    value_segments=[
        {
            "name": "High",
            "min_arr": 50000,
            "accounts_per_csm": 25,
            "touches": [{"kind": "call", "every_days": 30}],
        },
        {"name": "Low", "min_arr": 0, "accounts_per_csm": 0},
    ]
)


def facts(**changes: object) -> Facts:
    base = Facts(
        as_of=DAY,
        accounts={a: Account(a, a.upper(), "Ana", None) for a in ("a", "b", "c")},
        days={
            DAY: {
                "a": DayResult("adoption", 40.0, "red"),
                "b": DayResult("retention", 80.0, "green"),
                "c": DayResult("retention", 70.0, "yellow"),
            },
            BEFORE: {
                "a": DayResult("adoption", 60.0, "yellow"),
                "b": DayResult("retention", 80.0, "green"),
                "c": DayResult("retention", 70.0, "yellow"),
            },
            DAY - dt.timedelta(days=14): {
                "a": DayResult("adoption", 75.0, "yellow"),
                "b": DayResult("retention", 90.0, "green"),
            },
        },
        milestones=[
            ("a", "Setup complete", "missed"),
            ("b", "Setup complete", "achieved late"),
            ("c", "Renewal", "behind"),
        ],
        segments={
            BEFORE: {"a": "Low", "b": "High", "c": "Low"},
            DAY: {"a": "Low", "b": "Low", "c": "High"},
        },
        renewals={"a": DAY + dt.timedelta(days=30), "b": DAY + dt.timedelta(days=120)},
        detractors=[
            ("c", "r1", DAY - dt.timedelta(days=2)),
            ("b", "r2", DAY - dt.timedelta(days=20)),
        ],
        last_touches={
            ("b", "call"): DAY - dt.timedelta(days=3),
            ("c", "call"): DAY - dt.timedelta(days=30),
        },
        recorded_churn=set(),
        has_churn_risk=False,
    )
    for key, value in changes.items():
        setattr(base, key, value)
    return base


def fired(trigger: dict[str, object], f: Facts | None = None) -> list[tuple[str, str]]:
    playbook = Playbook(name="p", trigger=trigger, actions=[{"notify": {}}])
    return sorted((h.account_id, h.reason) for h in hits(playbook.trigger, f or facts(), DEFS))


def test_band_and_health_drop() -> None:
    assert fired({"band_changed": {"to": ["red"]}}) == [("a", f"health band yellow → red on {DAY}")]
    assert fired({"band_changed": {"to": ["green"]}}) == []
    assert fired({"health_drop": {"points": 35, "days": 14}}) == [
        ("a", "health dropped at least 35 points in 14 days")
    ]
    assert fired({"health_drop": {"points": 36, "days": 14}}) == []


def test_milestones_segments_renewals_nps() -> None:
    assert fired({"milestone": "missed"}) == [("a", "milestone Setup complete: missed")]
    assert fired({"milestone": "achieved"}) == [("b", "milestone Setup complete: achieved")]
    assert fired({"milestone": "behind", "names": ["Other"]}) == []
    assert fired({"segment_entered": "High"}) == [("c", f"entered High on {DAY}")]
    assert fired({"segment_left": "High"}) == [("b", f"left High on {DAY}")]
    assert fired({"renewal_within_days": 30}) == [
        ("a", f"renewal on {DAY + dt.timedelta(days=30)}")
    ]
    assert fired({"nps_detractor": True, "within_days": 7}) == [
        ("c", "NPS detractor (response r1)")
    ]


def test_touch_cadence_churn_and_churn_risk() -> None:
    # c is High touch today: its last call was 30 days ago, the cadence is 30 days.
    assert fired({"no_touch": "cadence"}) == [("c", "no call within 30 days")]
    churned = facts(recorded_churn={"a"})
    assert fired({"churn": "recorded"}, churned) == [("a", "churned")]
    assert fired({"milestone": "missed"}, churned) == []  # churned accounts only for churn
    f = facts()
    assert fired({"churn_risk_above": 0.5}, f) == []
    assert f.skipped == ["churn_risk_above: no churn risk computed (account_days.churn_risk)"]
    f = facts(has_churn_risk=True)
    f.days[DAY]["b"].churn_risk = 0.7
    assert fired({"churn_risk_above": 0.5}, f) == [("b", "churn risk above 0.5")]


def test_bad_playbooks_fail_naming_the_field() -> None:
    with pytest.raises(ValidationError, match="a trigger needs one of the keys"):
        Playbook(name="p", trigger={"weather": "rain"}, actions=[{"notify": {}}])
    with pytest.raises(ValidationError, match="an action needs one of the keys"):
        Playbook(name="p", trigger={"churn": "recorded"}, actions=[{"email": {}}])
    with pytest.raises(ValueError, match="names segment 'Mid'"):
        Definitions(
            value_segments=DEFS.value_segments,
            playbooks=[
                {"name": "p", "trigger": {"segment_entered": "Mid"}, "actions": [{"notify": {}}]}
            ],
        )


def test_the_file_line_and_field_of_a_bad_playbook(tmp_path: Path) -> None:
    (tmp_path / "tenure.yaml").write_text(
        "definitions:\n  playbooks:\n    - name: p\n"
        "      trigger: {health_drop: {points: 0, days: 3}}\n"
        "      actions: [{notify: {}}]\n"
    )
    with pytest.raises(ConfigError) as error:
        load_settings(tmp_path)
    assert "tenure.yaml:4: field 'definitions.playbooks.0.trigger.health_drop" in str(error.value)
    assert "greater than 0" in str(error.value)
