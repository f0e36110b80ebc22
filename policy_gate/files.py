"""Reading the user's files (programs' project files, state, config, exemptions): any failure
is one line naming the file, a usage error (exit 2)."""

from __future__ import annotations

from pathlib import Path

from .errors import UsageError


def read_text(path: Path | str, what: str = "") -> str:
    """The file's UTF-8 text; ``what`` names it in the error ("config file ")."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {what}{path}: {getattr(exc, 'strerror', None) or exc}") from None
