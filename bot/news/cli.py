"""`precis extract`, `summarize` and `quotes`: the news pipeline on files, URLs and stdin."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from typing import Any

from bot.errors import UserError
from bot.news.article import Article
from bot.news.fetch import create_session
from bot.news.quotes import Quote, quotes_of, shown_speaker
from bot.news.sources import read_source
from bot.news.summarize import summarize
from bot.settings import Settings

Report = Callable[[str, Article, argparse.Namespace], dict[str, Any]]


def extract_report(source: str, article: Article, args: argparse.Namespace) -> dict[str, Any]:
    return {
        "source": source,
        "url": article.url,
        "title": article.title,
        "author": article.author,
        "published": article.published,
        "text": article.text,
    }


def summarize_report(source: str, article: Article, args: argparse.Namespace) -> dict[str, Any]:
    summary = summarize(article, args.method, args.sentences)
    return {
        "source": source,
        "url": article.url,
        "title": article.title,
        "method": summary.method,
        "sentences": list(summary.sentences),
    }


def quotes_report(source: str, article: Article, args: argparse.Namespace) -> dict[str, Any]:
    return {
        "source": source,
        "url": article.url,
        "title": article.title,
        "quotes": [
            {
                "quote": quote.text,
                "start": quote.start,
                "end": quote.end,
                "speaker": quote.speaker,
                "speaker_resolved": quote.speaker_resolved,
                "description": quote.description,
                "cue": quote.cue,
            }
            for quote in quotes_of(article)
        ],
    }


def as_text(report: dict[str, Any]) -> str:
    details = (report["url"], report.get("author"), report.get("published"))
    head = "\n".join([report["title"] or "(untitled)", *filter(None, details)]) + "\n"
    if "text" in report:
        return head + "\n" + report["text"] + "\n"
    if "quotes" in report:
        return head + "".join(f"  “{q['quote']}” — {_shown_speaker(q)}\n" for q in report["quotes"])
    return head + "".join(f"  • {s}\n" for s in report["sentences"])


def _shown_speaker(fields: dict[str, Any]) -> str:
    """The speaker a reader is shown, from a quote's JSON fields."""
    quote = Quote(
        fields["quote"],
        fields["start"],
        fields["end"],
        fields["speaker"],
        fields["speaker_resolved"],
        fields["description"],
        fields["cue"],
        sentence="",
    )
    return shown_speaker(quote) or "unattributed"


NEWS_COMMANDS: dict[str, Report] = {
    "extract": extract_report,
    "summarize": summarize_report,
    "quotes": quotes_report,
}


async def run_news_command(args: argparse.Namespace, settings: Settings) -> int:
    """Each SOURCE in order; a bad one is reported on stderr and the others still run."""
    report = NEWS_COMMANDS[args.command]
    failed = False
    async with create_session() as session:
        for source in args.sources:
            try:
                article = await read_source(
                    source, session, allow_private=settings.allow_private_urls
                )
                result = await asyncio.to_thread(report, source, article, args)
            except UserError as error:
                print(f"precis: {source}: {error}", file=sys.stderr)
                failed = True
                continue
            print(
                json.dumps(result, ensure_ascii=False) if args.json else as_text(result), flush=True
            )
    return 1 if failed else 0
