"""Net Promoter Score over the latest response per contact in a window.

NPS = % promoters (score 9–10) − % detractors (score 0–6), from −100 to 100.
The window is the `window_days` whole days ending with the as-of date
(inclusive): ``as_of + 1 day − window_days <= responded_at < as_of + 1 day``.
Only ``nps`` survey responses count (compared case-insensitively). Each contact
counts once, with their latest response in the window (ties broken by the
larger ``response_id``); a response without a contact counts on its own.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

DEFAULT_WINDOW_DAYS = 180
PROMOTER_MIN = 9
DETRACTOR_MAX = 6


def portfolio_nps(
    survey_responses: ir.Table, *, as_of: dt.date, window_days: int = DEFAULT_WINDOW_DAYS
) -> ir.Table:
    """The portfolio's NPS as of `as_of`: one row.

    NPS = 100 × (promoters − detractors) / respondents over the latest nps
    response per contact in the window (see the module docstring); null
    without respondents.

    Columns: ``as_of`` (date), ``respondents``, ``promoters``, ``passives``,
    ``detractors``, ``nps``.
    """
    latest = latest_nps_responses(survey_responses, as_of=as_of, window_days=window_days)
    counts = latest.aggregate(**_counts(latest))
    return _with_score(counts, as_of)


def account_nps(
    survey_responses: ir.Table, *, as_of: dt.date, window_days: int = DEFAULT_WINDOW_DAYS
) -> ir.Table:
    """NPS per account as of `as_of`: one row per account with a respondent in the window.

    Same formula as `portfolio_nps`, over each account's contacts (a contact
    counts for the account of their latest response).

    Columns: ``account_id``, ``as_of``, ``respondents``, ``promoters``,
    ``passives``, ``detractors``, ``nps``.
    """
    latest = latest_nps_responses(survey_responses, as_of=as_of, window_days=window_days)
    counts = latest.group_by("account_id").aggregate(**_counts(latest))
    return _with_score(counts, as_of).relocate("account_id")


def latest_nps_responses(
    survey_responses: ir.Table, *, as_of: dt.date, window_days: int = DEFAULT_WINDOW_DAYS
) -> ir.Table:
    """The latest nps response per contact in the window ending with `as_of`.

    Columns: those of `survey_responses` plus ``respondent`` (the contact, or
    ``response:<response_id>`` for a response without a contact).
    """
    if window_days < 1:
        raise ValueError(f"window_days must be at least 1, not {window_days}")
    end = dt.datetime(as_of.year, as_of.month, as_of.day) + dt.timedelta(days=1)
    start = end - dt.timedelta(days=window_days)
    r = survey_responses
    r = r.filter(
        r.survey.lower() == "nps",
        r.score.notnull(),
        r.responded_at >= ibis.literal(start),
        r.responded_at < ibis.literal(end),
    )
    r = r.mutate(respondent=r.contact_id.fill_null("response:" + r.response_id))
    order = ibis.window(
        group_by=r.respondent, order_by=[r.responded_at.desc(), r.response_id.desc()]
    )
    ranked = r.mutate(response_rank=ibis.row_number().over(order))
    return ranked.filter(ranked.response_rank == 0).drop("response_rank")


def _counts(latest: ir.Table) -> dict[str, ir.Value]:
    score = latest.score
    return {
        "respondents": latest.respondent.count(),
        "promoters": ibis.ifelse(score >= PROMOTER_MIN, 1, 0).sum(),
        "passives": ibis.ifelse((score > DETRACTOR_MAX) & (score < PROMOTER_MIN), 1, 0).sum(),
        "detractors": ibis.ifelse(score <= DETRACTOR_MAX, 1, 0).sum(),
    }


def _with_score(counts: ir.Table, as_of: dt.date) -> ir.Table:
    # Explicit casts: Ibis 12 on PostgreSQL can emit integer division for int / int.
    total = counts.respondents.cast("float64").nullif(0.0)
    net = (counts.promoters - counts.detractors).cast("float64")
    return counts.mutate(
        as_of=ibis.literal(as_of, type="date"),
        promoters=counts.promoters.fill_null(0),
        passives=counts.passives.fill_null(0),
        detractors=counts.detractors.fill_null(0),
        nps=100.0 * net / total,
    ).relocate("as_of")
