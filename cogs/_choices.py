"""Autocomplete values for stored things whose text may be longer than a choice allows."""

from __future__ import annotations

import re

CHOICE_LIMIT = 100  # Discord's, for an autocomplete choice's name and value
# The value for a text too long to be one: `#` and the row's id, which the command resolves.
# No topic or feed address looks like this: topics keep no `#`, and addresses are http(s).
REFERENCE = re.compile(r"#(\d+)")


def choice_value(text: str, row_id: int) -> str:
    """An autocomplete value: the text, or `#id` when it is too long for a choice."""
    return text if len(text) <= CHOICE_LIMIT else f"#{row_id}"


def referenced_id(typed: str) -> int | None:
    """The id a value of `choice_value` refers to, if `typed` is such a reference."""
    match = REFERENCE.fullmatch(typed.strip())
    return int(match[1]) if match else None
