"""Extractive summarizers behind `bot.pipeline.summarize`: one small class per method."""
