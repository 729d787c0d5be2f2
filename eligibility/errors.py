"""The engine's one exception tree.

    EligibilityError
     ├── RuleFileError      a rule file is invalid (names file, rule id, key path and the fix)
     └── InputError         a caller's input is invalid (names each field and what is wrong)

Both carry plain data so the command line and the API can render them without a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["EligibilityError", "InputError", "RuleFileError"]


class EligibilityError(Exception):
    """Base class of every error the engine raises on purpose."""


class RuleFileError(EligibilityError):
    """A rule file cannot be loaded: says where and how to fix it."""

    def __init__(
        self,
        file: str,
        message: str,
        *,
        rule: str | None = None,
        key: str | None = None,
        fix: str | None = None,
        line: int | None = None,
    ) -> None:
        self.file = file
        self.rule = rule
        self.key = key
        self.message = message
        self.fix = fix
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [where]
        if self.rule:
            parts.append(f"rule {self.rule}")
        if self.key:
            parts.append(self.key)
        text = ": ".join(parts) + f": {self.message}"
        if self.fix:
            text += f" Fix: {self.fix}"
        return text


class InputError(EligibilityError):
    """Caller input is invalid; ``errors`` maps each field path to its messages."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.errors: dict[str, list[str]] = {k: list(v) for k, v in errors.items()}
        super().__init__(str(self))

    @classmethod
    def single(cls, field: str, message: str) -> InputError:
        """An error about one field."""
        return cls({field: [message]})

    def __str__(self) -> str:
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in sorted(self.errors.items()))
