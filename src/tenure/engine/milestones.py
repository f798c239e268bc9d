"""Milestones: when each account met each milestone, and its status on any day.

A milestone has a rule (see `engine.rules`), an anchor and optionally a due
window of W days. Per account, with a = the anchor day:

- anchor: ``contract_start`` = the day of the account's first subscription
  start; ``account_created`` = the day of ``accounts.created_at``;
  ``stage_entered`` = the day the account entered the milestone's stage
  (`lifecycle.stage_entries`). Accounts without the anchor have no row.
- due_day = a + W; halfway_day = a + ⌊W / 2⌋ (both null without a window).
- achieved_on = the first day ≥ a on which the rule holds (null: not yet).

Status as of a day t (nothing after t counts):

- not_started: a > t;
- achieved: achieved_on ≤ t and (no window or achieved_on ≤ due_day);
- achieved_late: achieved_on ≤ t and achieved_on > due_day;
- missed: not achieved by t and t > due_day;
- behind: not achieved by t, t ≤ due_day and t > halfway_day, i.e. more
  than half the window gone (t − a > W / 2);
- on_track: otherwise (not achieved, at most half the window gone, or no
  window at all).

As t grows, an account's status runs through at most not_started → on_track →
behind → missed → achieved_late (or on_track → achieved), so
`milestone_status_history` gives it as a few intervals instead of a row per day.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from tenure.definitions import Definitions, Milestone
from tenure.engine.lifecycle import account_created, settled
from tenure.engine.lifecycle import stage_entries as lifecycle_entries
from tenure.engine.rules import Sources, reads_only_rollups, rule_achieved

STATUSES = ("not_started", "on_track", "behind", "missed", "achieved", "achieved_late")
DATE_COLUMNS = ("anchor_day", "due_day", "halfway_day", "achieved_on")
ONE_DAY = ibis.interval(days=1)


def contract_start(subscriptions: ir.Table) -> ir.Table:
    """Anchors at contract start: ``account_id``, ``anchor_day`` (first subscription start)."""
    return subscriptions.group_by("account_id").aggregate(
        anchor_day=subscriptions.started_at.min().date()
    )


def milestone_dates(
    definitions: Definitions,
    sources: Sources,
    *,
    stage_entries: ir.Table | None = None,
    previous: ir.Table | None = None,
    since: dt.date | None = None,
) -> ir.Table:
    """Anchor, due and achievement days of every milestone for every anchored account.

    `stage_entries` (from `lifecycle.stage_entries`) is computed when a
    milestone needs it and none is given. Columns: ``account_id``,
    ``milestone``, ``stage``, ``required``, ``is_value`` (bool),
    ``anchor_day``, ``due_day``, ``halfway_day``, ``achieved_on`` (dates; the
    last three may be null), as defined in the module docstring.

    Incrementally: with `previous` (this function's earlier result under the
    same definitions) and `since` (the first day whose data changed since),
    rows achieved before `since` from the same anchor day are kept and only
    the others are evaluated, for rules that read only the rollups (see
    `lifecycle.stage_rule_days`).
    """
    anchors = {
        "contract_start": contract_start(sources.subscriptions),
        "account_created": account_created(sources.accounts),
    }
    parts = []
    for milestone in definitions.milestones:
        if milestone.anchor == "stage_entered":
            if stage_entries is None:
                stage_entries = lifecycle_entries(definitions, sources)
            entered = stage_entries.filter(stage_entries.stage == milestone.stage)
            anchor = entered.select("account_id", anchor_day=entered.entered_on)
        else:
            anchor = anchors[milestone.anchor]
        anchor = anchor.filter(anchor.anchor_day.notnull())
        if previous is None or since is None or not reads_only_rollups(milestone.rule):
            parts.append(_one_milestone(milestone, sources, anchor))
            continue
        kept = settled(previous.filter(previous.milestone == milestone.name), anchor, since)
        fresh = _one_milestone(milestone, sources, anchor.anti_join(kept, "account_id"))
        parts.append(kept.select(*fresh.columns).cast(fresh.schema()).union(fresh))
    if not parts:
        return _no_milestones(anchors["account_created"])
    return ibis.union(*parts)


def _one_milestone(milestone: Milestone, sources: Sources, anchors: ir.Table) -> ir.Table:
    met = rule_achieved(milestone.rule, sources, anchors=anchors)
    joined = anchors.left_join(met, "account_id")
    window = milestone.within_days
    no_day = ibis.null("date")
    return joined.select(
        account_id=joined.account_id,
        milestone=ibis.literal(milestone.name, "string"),
        stage=ibis.literal(milestone.stage, "string"),
        required=ibis.literal(milestone.required, "boolean"),
        is_value=ibis.literal(milestone.value, "boolean"),
        anchor_day=joined.anchor_day,
        due_day=no_day if window is None else joined.anchor_day + ibis.interval(days=window),
        halfway_day=(
            no_day if window is None else joined.anchor_day + ibis.interval(days=window // 2)
        ),
        achieved_on=joined.achieved_on.cast("date"),
    )


def _no_milestones(accounts: ir.Table) -> ir.Table:
    empty = accounts.filter(ibis.literal(False))
    return empty.select(
        "account_id",
        milestone=ibis.literal("", "string"),
        stage=ibis.literal("", "string"),
        required=ibis.literal(True),
        is_value=ibis.literal(False),
        **dict.fromkeys(DATE_COLUMNS, empty.anchor_day),
    )


def _status_expr(dates: ir.Table, day: ir.DateValue) -> ir.StringValue:
    """The status as of `day` (see the module docstring)."""
    done = dates.achieved_on.notnull() & (dates.achieved_on <= day)
    on_time = dates.due_day.isnull() | (dates.achieved_on <= dates.due_day)
    return ibis.cases(
        (dates.anchor_day > day, "not_started"),
        (done & on_time, "achieved"),
        (done, "achieved_late"),
        (dates.due_day.notnull() & (day > dates.due_day), "missed"),
        (dates.halfway_day.notnull() & (day > dates.halfway_day), "behind"),
        else_="on_track",
    )


def milestone_status(dates: ir.Table, *, as_of: dt.date) -> ir.Table:
    """Each account's milestone status as of `as_of`, from `milestone_dates`.

    Nothing after `as_of` counts: an achievement after it is treated as not
    yet achieved and its ``achieved_on`` is blanked. Adds ``as_of`` and
    ``status`` (one of `STATUSES`, defined in the module docstring) to the
    columns of `dates`.
    """
    day = ibis.literal(as_of, "date")
    known = dates.mutate(
        achieved_on=ibis.ifelse(dates.achieved_on <= day, dates.achieved_on, ibis.null("date"))
    )
    return known.mutate(as_of=day, status=_status_expr(known, day))


def milestone_status_history(dates: ir.Table, *, start: dt.date, end: dt.date) -> ir.Table:
    """Each account's milestone statuses over the days of [start, end], as intervals.

    One row per status an account holds for some day t in [start, end], with
    the inclusive days ``valid_from`` ≤ ``valid_to`` over which it holds
    (clipped to [start, end]); ``milestone_status(dates, as_of=t)`` gives the
    same status for each of those days. The segments, with A = achieved_on:

        not_started   [.., a − 1]
        on_track      [a, min(halfway_day, A − 1)]   (no window: [a, A − 1])
        behind        [halfway_day + 1, min(due_day, A − 1)]
        missed        [due_day + 1, A − 1]
        achieved(_late) [A, ..]

    Columns: ``account_id``, ``milestone``, ``stage``, ``required``,
    ``is_value``, ``status``, ``valid_from``, ``valid_to``.
    """
    if end < start:
        raise ValueError(f"empty range: {start} is after {end}")
    first, last = ibis.literal(start, "date"), ibis.literal(end, "date")
    until_done = (dates.achieved_on - ONE_DAY).coalesce(last)
    late = dates.due_day.notnull() & (dates.achieved_on > dates.due_day)
    segments = [
        ("not_started", first, dates.anchor_day - ONE_DAY),
        ("on_track", dates.anchor_day, ibis.least(dates.halfway_day.coalesce(last), until_done)),
        ("behind", dates.halfway_day + ONE_DAY, ibis.least(dates.due_day, until_done)),
        ("missed", dates.due_day + ONE_DAY, until_done),
        (ibis.ifelse(late, "achieved_late", "achieved"), dates.achieved_on, last),
    ]
    parts = [
        _segment(dates, status, since, until, first, last) for status, since, until in segments
    ]
    return ibis.union(*parts)


def _segment(
    dates: ir.Table,
    status: str | ir.StringValue,
    since: ir.DateValue,
    until: ir.DateValue,
    first: ir.DateValue,
    last: ir.DateValue,
) -> ir.Table:
    """The rows of one status segment, clipped to [first, last]; absent or empty ones dropped."""
    rows = dates.select(
        "account_id",
        "milestone",
        "stage",
        "required",
        "is_value",
        status=ibis.literal(status, "string") if isinstance(status, str) else status,
        since=since,
        until=until,
    )
    rows = rows.filter(rows.since.notnull() & rows.until.notnull())
    rows = rows.mutate(
        valid_from=ibis.greatest(rows.since, first), valid_to=ibis.least(rows.until, last)
    )
    return rows.filter(rows.valid_from <= rows.valid_to).drop("since", "until")


def _ones(flag: ir.BooleanValue) -> ir.IntegerValue:
    """1 where `flag` holds, else 0 (PostgreSQL casts no boolean to bigint)."""
    return ibis.ifelse(flag, 1, 0).cast("int64")


def _days(later: ir.DateValue, earlier: ir.DateValue) -> ir.IntegerValue:
    return later.epoch_days() - earlier.epoch_days()


def time_to_milestone(dates: ir.Table, *, as_of: dt.date) -> ir.Table:
    """Days from anchor to achievement per milestone and start cohort, as of `as_of`.

    cohort = the month (its first day) of the anchor day; over the accounts
    anchored by `as_of`: days = achieved_on − anchor_day for those that
    achieved it by `as_of`; median and p75 are continuous quantiles (linear
    interpolation), null when none achieved it.

    Columns: ``milestone``, ``cohort``, ``accounts`` (anchored),
    ``achieved``, ``median_days``, ``p75_days``.
    """
    day = ibis.literal(as_of, "date")
    started = dates.filter(dates.anchor_day <= day)
    done = started.achieved_on.notnull() & (started.achieved_on <= day)
    started = started.mutate(
        cohort=started.anchor_day.truncate("M"),
        done=done,
        days=ibis.ifelse(done, _days(started.achieved_on, started.anchor_day), ibis.null("int64")),
    )
    return started.group_by(["milestone", "cohort"]).aggregate(
        accounts=started.count(),
        achieved=_ones(started.done).sum(),
        median_days=started.days.quantile(0.5),
        p75_days=started.days.quantile(0.75),
    )


def time_to_value(dates: ir.Table, *, as_of: dt.date) -> ir.Table:
    """Time to value: `time_to_milestone` of the value milestone (``value: true``).

    Time to value = achieved_on − anchor_day of the value milestone, whose
    anchor is contract start by default. Columns: ``cohort``, ``accounts``,
    ``achieved``, ``median_days``, ``p75_days`` (no rows without a value milestone).
    """
    spans = time_to_milestone(dates.filter(dates.is_value), as_of=as_of)
    return spans.drop("milestone")


def milestone_completion(dates: ir.Table, *, as_of: dt.date) -> ir.Table:
    """Milestone completion rate per milestone and start cohort, as of `as_of`.

    Over accounts anchored by `as_of` (cohort = month of the anchor day):
    eligible = window closed (due_day < as_of) or achieved by `as_of`; for a
    milestone without a window, every anchored account.
    completion_rate = achieved / eligible (achieved by `as_of`, on time or
    late), null when none is eligible; on_time = achieved by its due day.

    Columns: ``milestone``, ``cohort``, ``eligible``, ``achieved``,
    ``on_time``, ``completion_rate``.
    """
    day = ibis.literal(as_of, "date")
    started = dates.filter(dates.anchor_day <= day)
    done = started.achieved_on.notnull() & (started.achieved_on <= day)
    closed = started.due_day.isnull() | (started.due_day < day)
    on_time = done & (started.due_day.isnull() | (started.achieved_on <= started.due_day))
    flags = started.select(
        "milestone",
        cohort=started.anchor_day.truncate("M"),
        eligible=_ones(closed | done),
        achieved=_ones(done),
        on_time=_ones(on_time),
    )
    counts = flags.group_by(["milestone", "cohort"]).aggregate(
        eligible=flags.eligible.sum(), achieved=flags.achieved.sum(), on_time=flags.on_time.sum()
    )
    rate = counts.achieved.cast("float64") / counts.eligible.nullif(0)
    return counts.mutate(completion_rate=rate)
