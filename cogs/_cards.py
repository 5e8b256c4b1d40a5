"""The summary card: one embed for /summarize and for feed posts, within Discord's limits."""

from __future__ import annotations

import math
from datetime import datetime

import discord

from bot.news.quotes import Quote, shown_speaker
from bot.news.summarize import Summary
from bot.storage import StoredArticle

TITLE_LIMIT = 256  # Discord's; the description's is 4096, a field's 1024, a footer's 2048
# Budgets well under the per-part limits, so that a full card (title, summary, three fields
# and the footer) stays under the 6000 total by construction: 256 + 3500 + 3 * 600 + 300.
SUMMARY_BUDGET = 3500
FIELD_BUDGET = 600
FOOTER_BUDGET = 300
WORDS_PER_MINUTE = 230
ELLIPSIS = "…"


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, at a word boundary, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    if not text[len(cut)].isspace() and " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-") + ELLIPSIS


def fit_lines(lines: list[str], budget: int) -> str:
    """As many whole lines as fit in `budget`, then a count of the ones left out."""
    room = budget - len("…and 99999 more.") - 1
    kept: list[str] = []
    used = 0
    for line in lines:
        if used + len(line) + 1 > room:
            break
        kept.append(line)
        used += len(line) + 1
    if len(kept) < len(lines):
        kept.append(f"…and {len(lines) - len(kept)} more.")
    return "\n".join(kept)


def bullet_list(sentences: tuple[str, ...], budget: int = SUMMARY_BUDGET) -> str:
    """Sentences as bullet points; the last ones shortened or left out to fit `budget`."""
    lines: list[str] = []
    used = 0
    for sentence in sentences:
        room = budget - used - 3  # "• " and the newline
        if room < 40:
            break
        line = "• " + shorten(sentence, room)
        lines.append(line)
        used += len(line) + 1
    return "\n".join(lines)


def reading_minutes(word_count: int) -> int:
    return max(1, math.ceil(word_count / WORDS_PER_MINUTE))


def footer_text(stored: StoredArticle) -> str:
    article = stored.article
    parts = [article.site_name, article.author and f"by {article.author}", _date(article.published)]
    return shorten(" · ".join(part for part in parts if part), FOOTER_BUDGET)


def _date(published: str | None) -> str | None:
    if not published:
        return None
    try:
        return datetime.fromisoformat(published.replace("Z", "+00:00")).strftime("%-d %b %Y")
    except ValueError:
        return published


def quote_line(quote: Quote, budget: int) -> str:
    """“The words,” — Speaker: shown as written (Markdown escaped), cut to fit `budget`."""
    speaker = shown_speaker(quote)
    attribution = f" — {discord.utils.escape_markdown(shorten(speaker, 100))}" if speaker else ""
    words = shorten(quote.text, budget - len(attribution) - 2 - 40)  # room for escapes
    return shorten(f"“{discord.utils.escape_markdown(words)}”{attribution}", budget)


def summary_card(
    stored: StoredArticle,
    summary: Summary,
    requested: int,
    *,
    key_quote: Quote | None = None,
    topic: str | None = None,
) -> discord.Embed:
    article = stored.article
    embed = discord.Embed(
        title=shorten(article.title or "Your text", TITLE_LIMIT),
        url=article.url,
        description=bullet_list(summary.sentences),
        colour=discord.Colour.dark_teal(),
    )
    shown, total = len(summary.sentences), summary.total_sentences
    saved = f"{shown} of {total} sentences, {reading_minutes(article.word_count)} min read"
    if total < requested:
        saved += f" (the text has only {total}, so here it is whole)"
    embed.add_field(name="Summary", value=shorten(saved, FIELD_BUDGET), inline=False)
    if key_quote is not None:
        embed.add_field(name="Key quote", value=quote_line(key_quote, FIELD_BUDGET), inline=False)
    if topic is not None:
        embed.add_field(name="Topic", value=shorten(topic, FIELD_BUDGET), inline=False)
    if article.image:
        embed.set_thumbnail(url=article.image)
    footer = footer_text(stored)
    if footer:
        embed.set_footer(text=footer)
    return embed
