"""Refusals a user can act on: what was wrong, an example that works, close matches."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class UserError(Exception):
    problem: str
    example: str | None = None
    suggestions: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return self.problem
