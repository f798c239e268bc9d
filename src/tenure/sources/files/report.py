"""What an import did: counts, rejected rows and warnings, each with its place."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Rejection:
    """One reason a row was not loaded: its line, the column, the value and why."""

    line: int
    column: str | None
    value: str | None
    reason: str

    def detail(self) -> str:
        """The column, the reason and the value, without the place in the file."""
        shown = f" ({self.value!r})" if self.value not in (None, "") else ""
        column = f"column '{self.column}': " if self.column else ""
        return f"{column}{self.reason}{shown}"

    def describe(self, unit: str = "line") -> str:
        return f"{unit} {self.line}: {self.detail()}"


@dataclass(frozen=True)
class UnknownAccounts:
    """Loaded rows that name an account the warehouse does not have (yet)."""

    rows: int
    accounts: list[str]  # the first few ids
    first_lines: list[int]


@dataclass
class ImportReport:
    """The outcome of one `import_file` call."""

    path: Path
    kind: str
    unit: str = "line"
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    unknown_accounts: UnknownAccounts | None = None
    extra_columns: list[str] = field(default_factory=list)
    quarantine_file: Path | None = None
    seconds: float = 0.0

    @property
    def rejected(self) -> int:
        """Rejected rows (a row with several problems counts once)."""
        return len({r.line for r in self.rejections})

    @property
    def ok(self) -> bool:
        return not self.rejections

    def summary(self) -> str:
        return (
            f"{self.path.name}: {self.inserted} inserted, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.rejected} rejected"
        )
