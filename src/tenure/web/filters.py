"""The accounts filter from query parameters, with each role's default book.

CSMs see their own book first: accounts whose CRM `owner` is one of their
owner names (`owner_name`, else `name`, else `email`; see `owner_names`).
`owner=all` shows everyone's accounts; `owner=me` anybody's own book.
"""

from __future__ import annotations

from tenure.db import Role
from tenure.web.deps import Visitor
from tenure.web.queries import AccountFilter
from tenure.web.users import owner_names


def account_filter(
    visitor: Visitor,
    *,
    segment: str | None = None,
    stage: str | None = None,
    band: str | None = None,
    owner: str | None = None,
    renewal_days: int | None = None,
    search: str | None = None,
    sort: str = "name",
    desc: bool = False,
    page: int = 1,
    per_page: int = 50,
) -> AccountFilter:
    if owner is None and visitor.user.role == Role.CSM:
        owner = "me"
    owners: list[str] = []
    if owner == "me":
        owners = owner_names(visitor.user)
    elif owner and owner != "all":
        owners = [owner]
    return AccountFilter(
        segment=segment or None,
        stage=stage or None,
        band=band or None,
        owners=owners,
        renewal_days=renewal_days,
        search=search or None,
        sort=sort,
        descending=desc,
        page=page,
        per_page=per_page,
    )
