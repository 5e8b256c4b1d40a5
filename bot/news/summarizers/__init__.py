"""Extractive summarizers behind `bot.news.summarize`: one small class per method."""
