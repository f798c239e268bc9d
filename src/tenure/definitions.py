"""Definitions are data: lifecycle stages, milestones, scorecards, value segments, playbooks.

Written in `tenure.yaml` under `definitions:`, validated here with pydantic
(an invalid definition fails at load time with the file, line, field and
reason) and compiled to Ibis expressions by the engine. Nothing here is ever
evaluated as code or pasted into SQL.

A *rule* is one mapping whose key names its kind, e.g. `{event: message_sent,
at_least: 100}`; `any:` and `all:` combine rules.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EventRule(Strict):
    """At least N of an event (or N distinct values of a property), optionally filtered."""

    event: str
    at_least: int = Field(default=1, ge=1)
    where: dict[str, str] = Field(default_factory=dict, description="tracked property = value")
    distinct: str | None = Field(default=None, description="count distinct values of it")


class ActiveDaysRule(Strict):
    """Active on at least N days a week (Mon–Sun) for K weeks in a row."""

    active_days_per_week: int = Field(ge=1, le=7)
    weeks: int = Field(default=1, ge=1)
    event: str | None = Field(default=None, description="count only days with this event")


class ShareOfContactsRule(Strict):
    """At least a share p of the account's contacts did an event."""

    share_of_contacts: str
    at_least: float = Field(gt=0, le=1)


class SubscriptionRule(Strict):
    """A subscription fact: a contract started, was renewed, or moved to a higher MRR."""

    subscription: Literal["started", "renewed", "upgraded"]


class ProductsOwnedRule(Strict):
    products_owned: int = Field(ge=1)


class TicketsRule(Strict):
    tickets: Literal["opened"]
    at_least: int = Field(default=1, ge=1)


class NpsRule(Strict):
    """The latest NPS answer of any contact of the account is at least N."""

    latest_nps: int = Field(ge=0, le=10)


class AttributeRule(Strict):
    """An account attribute (a column of accounts) equals one of some values."""

    attribute: str
    one_of: list[str] = Field(min_length=1)


class AnyRule(Strict):
    any: list[Rule] = Field(min_length=1)


class AllRule(Strict):
    all: list[Rule] = Field(min_length=1)


RULE_KINDS: dict[str, type[Strict]] = {  # looked up last to first
    "event": EventRule,
    "active_days_per_week": ActiveDaysRule,
    "share_of_contacts": ShareOfContactsRule,
    "subscription": SubscriptionRule,
    "products_owned": ProductsOwnedRule,
    "tickets": TicketsRule,
    "latest_nps": NpsRule,
    "attribute": AttributeRule,
    "any": AnyRule,
    "all": AllRule,
}


def _keyed_kind(kinds: dict[str, type[Strict]]) -> Any:
    """A discriminator: the kind of a definition is the first of `kinds`' keys it has."""

    def kind(value: Any) -> str | None:
        if isinstance(value, dict):
            return next((key for key in kinds if key in value), None)
        return next((k for k, cls in kinds.items() if isinstance(value, cls)), None)

    return kind


# `event` looked up last: other rule kinds may filter on an event.
_rule_kind = _keyed_kind(dict(reversed(RULE_KINDS.items())))


Rule = Annotated[
    Annotated[EventRule, Tag("event")]
    | Annotated[ActiveDaysRule, Tag("active_days_per_week")]
    | Annotated[ShareOfContactsRule, Tag("share_of_contacts")]
    | Annotated[SubscriptionRule, Tag("subscription")]
    | Annotated[ProductsOwnedRule, Tag("products_owned")]
    | Annotated[TicketsRule, Tag("tickets")]
    | Annotated[NpsRule, Tag("latest_nps")]
    | Annotated[AttributeRule, Tag("attribute")]
    | Annotated[AnyRule, Tag("any")]
    | Annotated[AllRule, Tag("all")],
    Discriminator(
        _rule_kind,
        custom_error_type="unknown_rule",
        custom_error_message=f"a rule needs one of the keys: {', '.join(RULE_KINDS)}",
    ),
]
AnyRule.model_rebuild()
AllRule.model_rebuild()


class Stage(Strict):
    """A lifecycle stage; an account is in the last stage whose entry rule it met."""

    name: str
    enters: Rule | None = Field(default=None, description="none: from account creation")


class Milestone(Strict):
    name: str
    stage: str
    anchor: Literal["contract_start", "account_created", "stage_entered"] = "contract_start"
    within_days: int | None = Field(default=None, ge=1, description="the due window")
    required: bool = True
    value: bool = Field(default=False, description="the value milestone (time to value)")
    rule: Rule


class Metric(Strict):
    """What a measure measures, over the `days` before the as-of date."""

    kind: Literal[
        "active_days",
        "share_of_contacts_active",
        "distinct_features",
        "event_count",
        "latest_nps",
        "open_tickets",
        "churn_risk",
    ]
    days: int = Field(default=28, ge=1)
    event: str | None = None


class Scheme(Strict):
    """How a measure's value becomes 0–100 points."""

    linear: tuple[float, float] | None = Field(default=None, description="[poor, good] bounds")
    good: float | None = Field(default=None, description="thresholds: good = 100 points")
    average: float | None = Field(default=None, description="thresholds: average = 60 points")
    lower_is_better: bool = False

    @model_validator(mode="after")
    def _one_scheme(self) -> Scheme:
        thresholds = self.good is not None and self.average is not None
        if (self.linear is not None) == thresholds:
            raise ValueError("give either linear: [poor, good] or both good: and average:")
        return self


class Measure(Strict):
    name: str
    weight: float = Field(gt=0)
    group: str | None = None
    critical: bool = Field(default=False, description="Poor caps the band at Yellow")
    metric: Metric | None = None
    scheme: Scheme | None = None
    subjective: bool = Field(default=False, description="CSM pulse, from the app database")
    expires_days: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _measured_or_subjective(self) -> Measure:
        if not self.subjective and (self.metric is None or self.scheme is None):
            raise ValueError("a measure needs metric: and scheme:, or subjective: true")
        return self


class Bands(Strict):
    """Upper bounds, inclusive: Red 0–red, Yellow red+1–yellow, Green above."""

    red: float = 50
    yellow: float = 75


class Scorecard(Strict):
    name: str
    bands: Bands = Bands()
    stages: list[str] = Field(default_factory=list, description="empty: every stage")
    segments: list[str] = Field(default_factory=list, description="empty: every segment")
    measures: list[Measure] = Field(min_length=1)


class Touch(Strict):
    kind: Literal["call", "meeting", "qbr", "onsite", "email", "webinar", "newsletter"]
    every_days: int = Field(ge=1)


class ValueSegment(Strict):
    name: str
    min_arr: float = Field(ge=0)
    accounts_per_csm: int = Field(ge=0, description="0: pooled, no named CSM")
    touches: list[Touch] = Field(default_factory=list)


class GrowthPotential(Strict):
    """Tier accounts by ARR adjusted for headroom: value = ARR + weight × max(0, potential − ARR).

    potential = `attribute` × `arr_per_unit`; `attribute` is a numeric account
    column (e.g. `employees`) or a key of its `traits` (e.g. `seats`).
    Accounts without the attribute are tiered by ARR alone.
    """

    attribute: str = Field(min_length=1)
    arr_per_unit: float = Field(gt=0, description="ARR one unit of the attribute could bring")
    weight: float = Field(default=0.5, gt=0, le=1, description="share of the headroom counted")


class Behaviour(Strict):
    """Thresholds of the behavioural (RFM) segments; see docs/segments.md."""

    inactive_days: int = Field(default=60, ge=1, description="no activity this long: inactive")
    recent_days: int = Field(default=90, ge=1, description="the recent window of underperformers")
    underperformer_ratio: float = Field(
        default=0.5, gt=0, lt=1, description="recent daily rate below this share of the earlier"
    )
    min_history_days: int = Field(
        default=90, ge=1, description="earlier history an underperformer needs"
    )
    season_months: int = Field(default=4, ge=1, le=11, description="length of a season")
    seasonal_share: float = Field(
        default=0.7, gt=0, le=1, description="share of activity in the best season"
    )
    loyal_score: int = Field(default=4, ge=1, le=5, description="R and F quintile scores ≥ this")


# Playbooks: a trigger, optional conditions and actions (see docs/workflows.md).

Band = Literal["red", "yellow", "green"]


class SegmentEnteredTrigger(Strict):
    """The account entered a value segment since the day before."""

    segment_entered: str


class SegmentLeftTrigger(Strict):
    segment_left: str


class BandChange(Strict):
    to: list[Band] = Field(default_factory=list, description="empty: any band")
    from_: list[Band] = Field(default_factory=list, alias="from")


class BandChangedTrigger(Strict):
    """The health band differs from the day before (optionally from/to given bands)."""

    band_changed: BandChange


class HealthDrop(Strict):
    points: float = Field(gt=0)
    days: int = Field(ge=1)


class HealthDropTrigger(Strict):
    """The health score fell by at least `points` over the last `days` days."""

    health_drop: HealthDrop


class MilestoneTrigger(Strict):
    """A milestone reached a status (all milestones, or those named)."""

    milestone: Literal["achieved", "behind", "missed"]
    names: list[str] = Field(default_factory=list, description="empty: every milestone")


class RenewalTrigger(Strict):
    """A subscription in force ends within N days (its renewal date)."""

    renewal_within_days: int = Field(ge=1)


class NpsDetractorTrigger(Strict):
    """A contact answered NPS 0–6 within the last `within_days` days."""

    nps_detractor: Literal[True]
    within_days: int = Field(default=7, ge=1)


class ChurnRiskTrigger(Strict):
    """The churn risk (column churn_risk of the results, when computed) is above p."""

    churn_risk_above: float = Field(gt=0, lt=1)


class NoTouchTrigger(Strict):
    """No touch of a kind within its segment's cadence (the touch model)."""

    no_touch: Literal["cadence"]


class ChurnTrigger(Strict):
    """The account churned (churned_at in the facts, or a recorded churn)."""

    churn: Literal["recorded"]


TRIGGER_KINDS: dict[str, type[Strict]] = {
    "segment_entered": SegmentEnteredTrigger,
    "segment_left": SegmentLeftTrigger,
    "band_changed": BandChangedTrigger,
    "health_drop": HealthDropTrigger,
    "milestone": MilestoneTrigger,
    "renewal_within_days": RenewalTrigger,
    "nps_detractor": NpsDetractorTrigger,
    "churn_risk_above": ChurnRiskTrigger,
    "no_touch": NoTouchTrigger,
    "churn": ChurnTrigger,
}


Trigger = Annotated[
    Annotated[SegmentEnteredTrigger, Tag("segment_entered")]
    | Annotated[SegmentLeftTrigger, Tag("segment_left")]
    | Annotated[BandChangedTrigger, Tag("band_changed")]
    | Annotated[HealthDropTrigger, Tag("health_drop")]
    | Annotated[MilestoneTrigger, Tag("milestone")]
    | Annotated[RenewalTrigger, Tag("renewal_within_days")]
    | Annotated[NpsDetractorTrigger, Tag("nps_detractor")]
    | Annotated[ChurnRiskTrigger, Tag("churn_risk_above")]
    | Annotated[NoTouchTrigger, Tag("no_touch")]
    | Annotated[ChurnTrigger, Tag("churn")],
    Discriminator(
        _keyed_kind(TRIGGER_KINDS),
        custom_error_type="unknown_trigger",
        custom_error_message=f"a trigger needs one of the keys: {', '.join(TRIGGER_KINDS)}",
    ),
]


class Conditions(Strict):
    """Only accounts matching every condition given (each a list of allowed values)."""

    segment: list[str] = Field(default_factory=list)
    stage: list[str] = Field(default_factory=list)
    band: list[Band] = Field(default_factory=list)
    owner: list[str] = Field(default_factory=list)


TaskType = Literal["risk", "expansion", "lifecycle", "activity", "objective"]


class TaskTemplate(Strict):
    """A task to create: {account}, {owner} and {reason} are filled in the title."""

    type: TaskType
    title: str = Field(min_length=1)
    steps: list[str] = Field(default_factory=list, description="sub-steps, in order")
    owner: str | None = Field(default=None, description="default: the account's owner")
    due_days: int = Field(default=7, ge=0)


class TaskAction(Strict):
    task: TaskTemplate


Channel = Literal["inbox", "email", "slack", "webhook"]


class Notify(Strict):
    channels: list[Channel] = Field(default=["inbox"], min_length=1)
    title: str | None = Field(default=None, description="default: the playbook name")


class NotifyAction(Strict):
    notify: Notify


class FieldValue(Strict):
    field: str = Field(min_length=1)
    value: str


class SetFieldAction(Strict):
    set_field: FieldValue


ACTION_KINDS: dict[str, type[Strict]] = {
    "task": TaskAction,
    "notify": NotifyAction,
    "set_field": SetFieldAction,
}

Action = Annotated[
    Annotated[TaskAction, Tag("task")]
    | Annotated[NotifyAction, Tag("notify")]
    | Annotated[SetFieldAction, Tag("set_field")],
    Discriminator(
        _keyed_kind(ACTION_KINDS),
        custom_error_type="unknown_action",
        custom_error_message=f"an action needs one of the keys: {', '.join(ACTION_KINDS)}",
    ),
]


class Playbook(Strict):
    name: str = Field(min_length=1)
    trigger: Trigger
    when: Conditions = Conditions()
    actions: list[Action] = Field(min_length=1)
    enabled: bool = True


class Definitions(Strict):
    lifecycle: list[Stage] = Field(default_factory=list)
    milestones: list[Milestone] = Field(default_factory=list)
    scorecards: list[Scorecard] = Field(default_factory=list)
    value_segments: list[ValueSegment] = Field(default_factory=list)
    growth_potential: GrowthPotential | None = None
    behaviour: Behaviour = Behaviour()
    playbooks: list[Playbook] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references(self) -> Definitions:
        stages = {stage.name for stage in self.lifecycle}
        for milestone in self.milestones:
            if stages and milestone.stage not in stages:
                raise ValueError(
                    f"milestone {milestone.name!r} names stage {milestone.stage!r}, "
                    f"not one of {', '.join(sorted(stages))}"
                )
        if sum(m.value for m in self.milestones) > 1:
            raise ValueError("only one milestone can be the value milestone (value: true)")
        names = [p.name for p in self.playbooks]
        if len(set(names)) < len(names):
            raise ValueError("playbook names must be unique")
        segments = {s.name for s in self.value_segments}
        for playbook in self.playbooks:
            trigger = playbook.trigger
            named = set(playbook.when.segment) | {
                getattr(trigger, kind)
                for kind in ("segment_entered", "segment_left")
                if hasattr(trigger, kind)
            }
            unknown = sorted(named - segments) if segments else []
            if unknown:
                raise ValueError(
                    f"playbook {playbook.name!r} names segment {unknown[0]!r}, "
                    f"not one of {', '.join(sorted(segments))}"
                )
        return self
