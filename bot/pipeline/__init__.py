"""The news pipeline: fetch, extract and clean, sentences, summarize, quotes.

Pure functions on records: no storage, no Discord.
"""
