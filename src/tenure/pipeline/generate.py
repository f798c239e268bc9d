"""Generate a synthetic history and load it into a workspace's warehouse."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tenure.config import Settings
from tenure.pipeline.imports import import_into_workspace, open_app_db, open_warehouse
from tenure.sources.files import ImportReport
from tenure.sources.synthetic import GenerationSummary, generate

# Load order: accounts first, so the rest can be checked against them.
FILES = [
    ("accounts", "accounts.parquet"),
    ("contacts", "contacts.parquet"),
    ("subscriptions", "subscriptions.parquet"),
    ("tickets", "tickets.parquet"),
    ("surveys", "survey_responses.parquet"),
    ("touches", "touches.parquet"),
]


@dataclass
class GeneratedWorkspace:
    generation: GenerationSummary
    imports: list[ImportReport] = field(default_factory=list)


def generate_into_workspace(
    settings: Settings,
    *,
    accounts: int,
    months: int,
    seed: int,
    end_date: date | None = None,
) -> GeneratedWorkspace:
    """Write the synthetic files to `data/generated/` and import every one of them."""
    folder = settings.generated_dir
    result = GeneratedWorkspace(
        generate(folder, accounts=accounts, months=months, seed=seed, end_date=end_date)
    )
    warehouse, app_db = open_warehouse(settings), open_app_db(settings)
    try:
        files = [(kind, folder / name) for kind, name in FILES]
        files += [("events", part) for part in sorted((folder / "events").glob("*.parquet"))]
        for kind, path in files:
            result.imports.append(
                import_into_workspace(settings, kind, path, warehouse=warehouse, app_db=app_db)
            )
    finally:
        app_db.dispose()
    return result
