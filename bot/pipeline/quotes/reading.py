"""Applying an ordered list of rules to a frame: the first rule that answers names the
speaker.

A rule is a function of a frame that returns the speaker it reads there, None when its
pattern is not there (the next rule is asked), or NOBODY when its pattern claims the frame
but names no one (`“...” that recognized`): then no later rule is asked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Final, TypeVar

from bot.pipeline.quotes.tokens import Attribution


class Nobody:
    """The answer of a rule whose pattern claims the frame and finds no speaker in it."""


NOBODY: Final = Nobody()

Frame = TypeVar("Frame")
Reading = Attribution | Nobody | None
Rule = Callable[[Frame], Reading]


def first_reading(rules: Iterable[Rule[Frame]], frame: Frame) -> Attribution | None:
    """The speaker that the first rule to answer reads in `frame`, if any."""
    for rule in rules:
        found = rule(frame)
        if found is not None:
            return found if isinstance(found, Attribution) else None
    return None
