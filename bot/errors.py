"""Errors a user should read, as opposed to bugs a maintainer should."""

from __future__ import annotations


class UserError(Exception):
    """Bad input or a known failure; its message is short, friendly and shown as it is."""
