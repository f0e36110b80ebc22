"""Declarative checks for the common rule shape: "the value at this path must (not) be one of
these, and absence means X" (the way Checkov states its simple checks as data).

Each factory returns a ``ResourceCheck`` for ``ResourceRule.check``. The treatment of an
absent value is an explicit argument, so it is visible in the rule's declaration.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Final, Literal

from . import props as p
from .messages import number_text, quote_known
from .rule import ResourceCheck, Subject

Absent = Literal["violation", "pass"]
ENABLED_DISABLED: Final = ("Enabled", "Disabled")  # the vocabulary of most public-access settings


def _path_for(subject: Subject, path: str, classic_path: str | None) -> str | None:
    """The property path for this spelling of the type; None when the classic provider has no such setting."""
    if subject.classic:
        return classic_path
    return path


def bool_setting(*, path: str, expected: bool, absent: Absent, what: str, classic_path: str | None = None,
                 classic_expected: bool | None = None) -> ResourceCheck:
    """``path`` must be ``expected``. ``what`` says in words what the expected state is
    (e.g. "public network access must be disabled"). The classic provider may phrase the
    setting the other way round (``publicNetworkAccessEnabled``): ``classic_expected``."""

    def check(subject: Subject) -> Iterator[str]:
        where = _path_for(subject, path, classic_path)
        if where is None:
            return
        want = expected if not subject.classic or classic_expected is None else classic_expected
        value = p.get(subject.props, where)
        if not p.present(value):
            if absent == "violation":
                yield f"{where} is not set; {what} (set it to {str(want).lower()})."
            return
        actual = p.get_bool(subject.props, where)
        if actual is None:
            yield f"{where} is {p.type_name(value)}, not a boolean; {what}."
        elif actual != want:
            yield f"{where} is {str(actual).lower()}; {what}."

    return check


def enum_setting(*, path: str, allowed: Callable[[Mapping[str, Any]], Iterable[str]], absent: Absent, what: str,
                 vocabulary: Iterable[str] = (), classic_path: str | None = None,
                 classic_map: Mapping[Any, str] | None = None) -> ResourceCheck:
    """``path`` must be one of ``allowed(config)`` (case-insensitive). ``vocabulary`` lists the
    values that may be quoted in messages (enum members). ``classic_map`` translates a
    classic-provider value (often a boolean) into the native enum value."""
    known = tuple(vocabulary)

    def check(subject: Subject) -> Iterator[str]:
        where = _path_for(subject, path, classic_path)
        if where is None:
            return
        options = [a for a in allowed(subject.config) if isinstance(a, str)]
        listing = ", ".join(options) or "none"
        value = p.get(subject.props, where)
        if not p.present(value):
            if absent == "violation":
                yield f"{where} is not set; {what} (allowed: {listing})."
            return
        if subject.classic and classic_map is not None:
            value = classic_map.get(p.get_bool(subject.props, where) if isinstance(value, (bool, str)) else None, value)
        if not isinstance(value, str):
            yield f"{where} is {p.type_name(value)}; {what} (allowed: {listing})."
        elif value.strip().lower() not in {o.lower() for o in options}:
            yield f"{where} is {quote_known(value, (*known, *options))}; {what} (allowed: {listing})."

    return check


def config_list(key: str) -> Callable[[Mapping[str, Any]], Iterable[str]]:
    """The allowed values come from the rule's config key ``key``."""
    return lambda config: config.get(key) or ()


def fixed(*values: str) -> Callable[[Mapping[str, Any]], Iterable[str]]:
    return lambda config: values


def not_whole(value: Any, number: float | None) -> str:
    """Why a value read as a count is not a whole number: a fraction, or its type."""
    return "a fraction" if number is not None else p.type_name(value)


def count_at_most(props: Any, path: str, limit: Any, key: str, noun: str, absent: Absent) -> Iterator[str]:
    """The whole number at ``path`` must be at most ``limit`` (config key ``key``); floats such as
    ``4.0`` count as whole numbers, a fraction or another type is a violation."""
    value = p.get(props, path)
    if not p.present(value):
        if absent == "violation":
            yield f"{path} is not set; set it to at most {number_text(limit)} {noun} ({key})."
        return
    number = p.get_number(props, path)
    if number is None or not number.is_integer():
        yield f"{path} is {not_whole(value, number)}, not a whole number of {noun}."
    elif isinstance(limit, (int, float)) and number > limit:
        yield f"{path} exceeds the limit of {number_text(limit)} {noun} ({key})."
