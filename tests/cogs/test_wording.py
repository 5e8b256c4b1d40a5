"""A cog words the core's typed errors for Discord; the rest pass through unchanged."""

from __future__ import annotations

import pytest

from bot.errors import UserError
from cogs._wording import worded


class Full(UserError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"At the limit of {limit}.")
        self.limit = limit


class OtherError(UserError):
    pass


WORDINGS = {Full: lambda error: f"At **{error.limit}**: `/config set limit` raises it."}


def test_a_listed_error_gets_the_cogs_wording_and_keeps_its_cause() -> None:
    with pytest.raises(UserError) as caught, worded(WORDINGS):
        raise Full(3)
    assert str(caught.value) == "At **3**: `/config set limit` raises it."
    assert isinstance(caught.value.__cause__, Full)


def test_an_error_not_listed_passes_through_as_it_is() -> None:
    with pytest.raises(OtherError, match="plain"), worded(WORDINGS):
        raise OtherError("plain")


def test_a_bug_is_not_worded() -> None:
    with pytest.raises(ZeroDivisionError), worded(WORDINGS):
        _ = 1 / 0
