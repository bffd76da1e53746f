"""Domain errors with stable codes; views and the API turn them into messages."""

from __future__ import annotations

from dataclasses import dataclass, field


class DomainError(Exception):
    """Base of every app's errors: ``code`` is stable, ``message`` is for people."""

    code = "error"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field


@dataclass(frozen=True)
class RowError:
    """One problem in an imported file: the spreadsheet row (1-based, header is 1) and column."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"第 {self.row} 行 [{self.column}]：{self.message}"


@dataclass
class ImportRejected(DomainError):
    """The whole file is rejected; nothing was written."""

    errors: list[RowError] = field(default_factory=list)
    code = "import_rejected"

    def __post_init__(self) -> None:
        super().__init__(f"{len(self.errors)} problem(s) in the file; nothing was imported")
