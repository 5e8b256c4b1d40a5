"""The one error path: what a user reads for an error, worded by the command's cog when it
lists the error, else the error's own message; a bug gets none (it is logged instead)."""

from __future__ import annotations

from discord import app_commands

from bot.client import user_message
from bot.errors import UserError


class Full(UserError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"At the limit of {limit}.")
        self.limit = limit


class OtherError(UserError):
    pass


WORDINGS = {Full: lambda error: f"At **{error.limit}**: `/config set limit` raises it."}


def test_an_error_the_cog_lists_gets_the_cogs_wording() -> None:
    assert user_message(Full(3), WORDINGS) == "At **3**: `/config set limit` raises it."


def test_the_wording_reaches_through_discord_py_s_wrappers() -> None:
    wrapped = app_commands.CommandInvokeError.__new__(app_commands.CommandInvokeError)
    wrapped.original = Full(4)
    assert user_message(wrapped, WORDINGS) == "At **4**: `/config set limit` raises it."


def test_an_error_not_listed_keeps_its_own_plain_message() -> None:
    assert user_message(OtherError("plain"), WORDINGS) == "plain"
    assert user_message(Full(2)) == "At the limit of 2."


def test_a_bug_has_no_message_for_the_user() -> None:
    assert user_message(ZeroDivisionError("division by zero"), WORDINGS) is None
