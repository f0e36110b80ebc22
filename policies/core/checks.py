"""Declarative checks for the common rule shape: "this setting must (not) be one of these values"
(the way Checkov states its simple checks as data).

Each factory takes a ``shape.Setting`` (where every provider keeps the setting and what its absence
means there) and returns a ``ResourceCheck`` for ``ResourceRule.check``. An absent setting takes
its provider's default when the setting declares one; ``absent`` says what absence means when it
does not (the API requires the value, or nothing is set), so it is visible in the declaration.
Messages name the path as the resource spells it and the provider's own values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from typing import Any, Final, Literal

from . import props as p
from .messages import number_text, quote_known
from .rule import ResourceCheck, ResourceFix, Subject
from .shape import Reading, Setting, read

Absent = Literal["violation", "pass"]
Quote = Callable[[object, Iterable[object]], str]
ENABLED_DISABLED: Final = ("Enabled", "Disabled")  # the vocabulary of most public-access settings


def bool_setting(*, setting: Setting, expected: bool, absent: Absent, what: str) -> ResourceCheck:
    """``setting`` must be ``expected`` (in azure-native's terms; a classic provider phrasing it the
    other way round maps its values in the setting). ``what`` says in words what the expected state
    is (e.g. "local authentication must be disabled")."""

    def check(subject: Subject) -> Iterator[str]:
        reading = read(subject.type, subject.props, setting)
        if reading is None:
            return
        want = reading.said(expected)
        if reading.absent and reading.default is None:
            if absent == "violation":
                yield f"{reading.path} is not set; {what} (set it to {want}){reading.note()}."
            return
        actual = p.get_bool({"v": reading.value}, "v")
        if actual is None:
            yield f"{reading.path} is {p.type_name(reading.raw)}, not a boolean; {what}."
        elif actual != expected:
            state = f"not set{reading.note()}" if reading.absent else f"{reading.said(actual)}"
            yield f"{reading.path} is {state}; {what} (set it to {want})."

    return check


def enum_setting(*, setting: Setting, allowed: Callable[[Mapping[str, Any]], Iterable[str]], absent: Absent, what: str,
                 vocabulary: Iterable[str] = (), quote: Quote = quote_known) -> ResourceCheck:
    """``setting`` must be one of ``allowed(config)`` (case-insensitive, in azure-native's terms).
    ``vocabulary`` lists the values that may be quoted in messages (enum members); ``quote`` may
    widen that to names Azure publishes (``messages.quote_size``)."""
    known = tuple(vocabulary)

    def check(subject: Subject) -> Iterator[str]:
        reading = read(subject.type, subject.props, setting)
        if reading is None:
            return
        options = [a for a in allowed(subject.config) if isinstance(a, str)]
        yield from judge_enum(reading, options, absent, what, lambda v: quote(v, (*known, *options)))

    return check


def judge_enum(reading: Reading, options: list[str], absent: Absent, what: str, quote: Callable[[object], str]) -> Iterator[str]:
    """The messages for one reading of an enum setting against ``options``."""
    listing = ", ".join(reading.said(o) for o in options) or "none"
    if reading.absent and reading.default is None:
        if absent == "violation":
            yield f"{reading.path} is not set; {what} (allowed: {listing}){reading.note()}."
        return
    value = reading.value
    if not isinstance(value, str):
        yield f"{reading.path} is {p.type_name(reading.raw)}; {what} (allowed: {listing})."
    elif value.strip().lower() not in {o.lower() for o in options}:
        state = f"not set{reading.note()}" if reading.absent else quote(reading.raw)
        yield f"{reading.path} is {state}; {what} (allowed: {listing})."


def config_list(key: str) -> Callable[[Mapping[str, Any]], Iterable[str]]:
    """The allowed values come from the rule's config key ``key``."""
    return lambda config: config.get(key) or ()


def fixed(*values: str) -> Callable[[Mapping[str, Any]], Iterable[str]]:
    return lambda config: values


def not_whole(value: Any, number: float | None) -> str:
    """Why a value read as a count is not a whole number: a fraction, or its type."""
    return "a fraction" if number is not None else p.type_name(value)


def count_at_most(reading: Reading, limit: Any, key: str, noun: str, absent: Absent) -> Iterator[str]:
    """The whole number a reading holds must be at most ``limit`` (config key ``key``); floats such
    as ``4.0`` count as whole numbers, a fraction or another type is a violation."""
    path = reading.path
    if reading.absent and reading.default is None:
        if absent == "violation":
            yield f"{path} is not set; set it to at most {number_text(limit)} {noun} ({key})."
        return
    number = p.as_number(reading.value)
    if number is None or not number.is_integer():
        yield f"{path} is {not_whole(reading.raw, number)}, not a whole number of {noun}."
    elif isinstance(limit, (int, float)) and number > limit:
        yield f"{path} exceeds the limit of {number_text(limit)} {noun} ({key})."


def setting_fix(check: ResourceCheck, setting: Setting, native_value: Any) -> ResourceFix:
    """A fix that sets one setting to ``native_value`` (given in azure-native's terms, written in the
    resource's own provider's terms), applied only when ``check`` finds something to fix."""

    def fix(subject: Subject) -> dict[str, Any] | None:
        if not any(True for _ in check(subject)):
            return None
        reading = read(subject.type, subject.props, setting)
        if reading is None:
            return None
        return p.with_changes(subject.props, {reading.path: reading.own(native_value)})

    return fix


def combined_fix(*fixes: ResourceFix) -> ResourceFix:
    """The fixes applied one after the other, each to the bag the ones before returned; None
    when none of them changed anything."""

    def fix(subject: Subject) -> dict[str, Any] | None:
        changed: dict[str, Any] | None = None
        for part in fixes:
            changed = part(replace(subject, props=changed) if changed is not None else subject) or changed
        return changed

    return fix
