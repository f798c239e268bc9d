"""Match a file's columns to a fact table's columns."""

from __future__ import annotations

from dataclasses import dataclass

from tenure.sources.files.presets import GENERIC, PRESETS, normalize
from tenure.sources.files.read import ImportFileError
from tenure.warehouse.schemas import FactTable


@dataclass(frozen=True)
class ColumnMap:
    """source column -> Tenure column; the rest go into the table's extras."""

    matched: dict[str, str]
    extras: list[str]
    defaults: dict[str, str]

    def source_of(self, column: str) -> str | None:
        return next((src for src, dst in self.matched.items() if dst == column), None)


def map_columns(names: list[str], kind: str, table: FactTable, preset: str | None) -> ColumnMap:
    """Match `names` case-insensitively to `table`, using `preset`'s aliases first.

    The first source column to claim a Tenure column wins; later ones are kept
    as extras. Raises `ImportFileError` when a required column is missing.
    """
    if preset is not None and preset not in PRESETS:
        raise ImportFileError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    aliases = {**GENERIC.get(kind, {})}
    defaults: dict[str, str] = {}
    if preset is not None:
        aliases.update(PRESETS[preset].aliases.get(kind, {}))
        defaults = dict(PRESETS[preset].defaults.get(kind, {}))
    own = set(table.column_names)
    matched: dict[str, str] = {}
    extras: list[str] = []
    for name in names:
        key = normalize(name)
        target = key if key in own else aliases.get(key)
        if target is not None and target not in matched.values():
            matched[name] = target
        else:
            extras.append(name)
    _check_required(names, kind, table, matched, defaults, preset)
    return ColumnMap(matched, extras, defaults)


def _check_required(
    names: list[str],
    kind: str,
    table: FactTable,
    matched: dict[str, str],
    defaults: dict[str, str],
    preset: str | None,
) -> None:
    derivable = {"message_id"} if table.name == "events" else set()
    have = set(matched.values()) | set(defaults) | derivable
    missing = [c.name for c in table.columns if c.required and c.name not in have]
    if missing:
        hint = "" if preset else " (exported from a CRM or help desk? try --preset)"
        raise ImportFileError(
            f"missing required column{'s' if len(missing) > 1 else ''} for {kind}: "
            f"{', '.join(missing)}; the file has: {', '.join(names)}{hint}"
        )
