"""precis: a Discord bot that reads the news for a community."""

__version__ = "0.1.0"
