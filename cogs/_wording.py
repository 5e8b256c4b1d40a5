"""Discord's wording of the core's typed errors.

The core raises `UserError` subclasses that carry data and a plain message with no Discord
markup in it (the CLI shows it as it is). A cog that wants a command's name, a channel mention
or bold in the message words the error here: `with worded(WORDINGS): ...` turns each listed
error into a `UserError` with the cog's message, which the client's one error path shows.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from bot.errors import UserError

# Error type -> its Discord message. Values take the error; typed `Any` so that one mapping
# holds wordings of different error types.
Wordings = Mapping[type[UserError], Callable[[Any], str]]


@contextlib.contextmanager
def worded(wordings: Wordings) -> Iterator[None]:
    """Re-raise a listed error (or a subclass of one) as a `UserError` with its wording."""
    try:
        yield
    except UserError as error:
        for kind, word in wordings.items():
            if isinstance(error, kind):
                raise UserError(word(error)) from error
        raise
