"""What an import reports: errors by row and column, what it skipped, and its counts."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RowError:
    row: int  # as Excel numbers it; 0 for the file as a whole
    column: str  # as the file names it
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportResult:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    # Rows read past on purpose: title and 填报单位 lines, a column-number row, the footer.
    skipped: list[tuple[int, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    rows_changed: int = 0  # the rows that change the registry (Plan.rows_changed)
    changes_anything: bool = False  # any household, person or income created, updated, removed
    header_row: int = 1  # the header's last row: the data starts below it
    dry_run: bool = False
    # The preview (households.roster.preview): the first changes, and every removal.
    changes: list = field(default_factory=list)
    removals: list = field(default_factory=list)
    exported_at: datetime.datetime | None = None  # when our export wrote the file
    mapping_name: str = ""  # the template that mapped unknown headers, if one did
    mapping: dict[str, str] = field(default_factory=dict)  # and its columns
    samples: dict[str, list[str]] = field(default_factory=dict)  # unknown column -> values

    @property
    def ok(self) -> bool:
        return not self.errors


Progress = Callable[..., None]
# Progress is told every so many rows (imports, exports and error copies alike).
PROGRESS_EVERY = 2000


def noop(**kwargs) -> None:
    pass
