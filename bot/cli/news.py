"""`precis extract`, `summarize` and `quotes`: the news pipeline on files, URLs and stdin."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from bot.cli.sources import read_source, reading_label
from bot.errors import UserError
from bot.model import Article, Quote
from bot.pipeline.fetch import create_session
from bot.pipeline.quotes import quotes_of, shown_speaker
from bot.pipeline.summarize import summarize

Report = Callable[[str, Article, argparse.Namespace], dict[str, Any]]
PROGRESS_DELAY = 1.0  # seconds of work before the CLI says what it is doing


def extract_report(source: str, article: Article, args: argparse.Namespace) -> dict[str, Any]:
    """`precis extract`: the article's text and what the page said about it."""
    return {
        "source": source,
        "url": article.url,
        "title": article.title,
        "author": article.author,
        "published": article.published,
        "text": article.text,
    }


def summarize_report(source: str, article: Article, args: argparse.Namespace) -> dict[str, Any]:
    """`precis summarize`: the sentences picked by `args.method`, `args.sentences` of them."""
    summary = summarize(article, args.method, args.sentences)
    return {
        "source": source,
        "url": article.url,
        "title": article.title,
        "method": summary.method,
        "sentences": list(summary.sentences),
    }


def quotes_report(source: str, article: Article, args: argparse.Namespace) -> dict[str, Any]:
    """`precis quotes`: the article's quotes with their speakers and offsets."""
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
    """A report for reading in a terminal (without `--json`)."""
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


@dataclass(frozen=True, slots=True)
class NewsCommand:
    """A CLI command that reads one article: the report it makes of it."""

    report: Report
    working: str  # its progress line


NEWS_COMMANDS = {
    "extract": NewsCommand(extract_report, "Extracting…"),
    "summarize": NewsCommand(summarize_report, "Summarizing…"),
    "quotes": NewsCommand(quotes_report, "Finding quotes…"),
}


@contextlib.contextmanager
def progress(label: str) -> Iterator[None]:
    """Say `label` on stderr once the work inside has lasted PROGRESS_DELAY; quick work says
    nothing. Never on stdout, which may be JSON."""
    say = functools.partial(print, label, file=sys.stderr, flush=True)
    handle = asyncio.get_running_loop().call_later(PROGRESS_DELAY, say)
    try:
        yield
    finally:
        handle.cancel()


async def run_news_command(args: argparse.Namespace, *, allow_private: bool) -> int:
    """Each SOURCE in order; a bad one is reported on stderr and the others still run.
    `allow_private`: whether a URL may lead to a private address (PRECIS_ALLOW_PRIVATE_URLS)."""
    command = NEWS_COMMANDS[args.command]
    failed = False
    async with create_session(allow_private=allow_private) as session:
        for source in args.sources:
            try:
                with progress(reading_label(source)):
                    article = await read_source(source, session)
                with progress(command.working):
                    result = await asyncio.to_thread(command.report, source, article, args)
            except UserError as error:
                print(f"precis: {source}: {error}", file=sys.stderr)
                failed = True
                continue
            print(
                json.dumps(result, ensure_ascii=False) if args.json else as_text(result), flush=True
            )
    return 1 if failed else 0
