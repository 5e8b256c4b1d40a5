"""What every cog shows: page text escaped and cut to Discord's limits, safe embed URLs, and
the summary card (one embed for /summarize and for feed posts)."""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any, Self
from urllib.parse import urlsplit

import discord

from bot.model import SUMMARY_MAX_CHARACTERS, SUMMARY_MAX_SENTENCES, Quote, StoredArticle, Summary
from bot.services.quotes import shown_speaker

# Discord's limits on one embed; it refuses the whole message when one is passed.
TITLE_LIMIT = 256  # a field's name and the author's too
DESCRIPTION_LIMIT = 4096
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
FIELD_COUNT_LIMIT = 25
TOTAL_LIMIT = 6000  # all of the above together
URL_LIMIT = 2048  # Discord refuses an embed's url, thumbnail or link this long or longer
# Budgets well under the per-part limits, so that a full card (title, summary, three fields
# and the footer) stays under the 6000 total by construction: 256 + 3500 + 3 * 600 + 300.
SUMMARY_BUDGET = 3500
FIELD_BUDGET = 600
FOOTER_BUDGET = 300
SPEAKER_BUDGET = 150  # who said a quote, on a card or naming a /quote field
MIN_LABEL = 20  # a link whose URL leaves its text less room than this is shown as text
SHOWN_URL = 300  # a plain URL in a reply: longer ones are cut, and no longer clickable
WORDS_PER_MINUTE = 230
ELLIPSIS = "…"
_UNESCAPED_BRACKET = re.compile(r"\\.|\[")  # an escape pair, else a bare "["
# Discord's own syntax in text, `<@id>` (a mention), `<#id>`, `<t:unix>`, `<:emoji:id>` and
# `</command:id>`: escaped, page text shows as written, never as a mention or a timestamp.
_DISCORD_SYNTAX = re.compile(r"<(?=[@#:/]|t:|a:)")
_NO_BRACKETS = str.maketrans("[]", "()")


class EmbedOverflow(ValueError):
    """An embed Discord would refuse: a bug in how its text was cut to its budget."""


class BudgetEmbed(discord.Embed):
    """An embed that keeps to Discord's limits, each part's and the 6000 in all: a part that
    would pass one is refused as it is added, where its caller is, rather than by Discord
    when the message is sent. Every card and list the cogs show is one."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._check()

    def add_field(self, *, name: Any, value: Any, inline: bool = True) -> Self:
        """As discord.Embed's, then check the limits."""
        super().add_field(name=name, value=value, inline=inline)
        return self._check()

    def set_footer(self, *, text: Any | None = None, icon_url: Any | None = None) -> Self:
        """As discord.Embed's, then check the limits."""
        super().set_footer(text=text, icon_url=icon_url)
        return self._check()

    def set_author(self, *, name: Any, url: Any | None = None, icon_url: Any | None = None) -> Self:
        """As discord.Embed's, then check the limits."""
        super().set_author(name=name, url=url, icon_url=icon_url)
        return self._check()

    def _check(self) -> Self:
        parts = [
            ("title", len(self.title or ""), TITLE_LIMIT),
            ("description", len(self.description or ""), DESCRIPTION_LIMIT),
            ("fields", len(self.fields), FIELD_COUNT_LIMIT),
            ("footer", len(self.footer.text or ""), FOOTER_LIMIT),
            ("author", len(self.author.name or ""), TITLE_LIMIT),
            ("in all", len(self), TOTAL_LIMIT),
        ]
        for field in self.fields:
            parts += [
                ("a field's name", len(field.name or ""), TITLE_LIMIT),
                ("a field's value", len(field.value or ""), FIELD_VALUE_LIMIT),
            ]
        for part, size, limit in parts:
            if size > limit:
                raise EmbedOverflow(f"an embed's {part}: {size} characters, over {limit}")
        return self


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, at a word boundary, with an ellipsis; an
    escape (backslash) is never left without the character it escapes."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    if not text[len(cut)].isspace() and " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    cut = cut.rstrip(" ,;:-")
    if (len(cut) - len(cut.rstrip("\\"))) % 2:  # half an escape would escape the ellipsis
        cut = cut[:-1].rstrip()
    return cut + ELLIPSIS


def shown(text: str, limit: int) -> str:
    """Text from a page (or typed by someone) as Discord should show it, in at most `limit`
    characters: on one line, its Markdown escaped so that `**` or `[label](link)` read as
    written, then cut. Escaping first, then cutting, keeps the result within `limit`."""
    flat = " ".join(text.split())[: limit + 1]  # escaping only adds: no need to read on
    escaped = discord.utils.escape_markdown(flat)  # backslashes too
    # escape_markdown leaves a "[" alone unless a whole "[label](link)" follows; a label
    # opened here and closed in the next text shown would still make a link.
    escaped = _UNESCAPED_BRACKET.sub(lambda m: m[0] if len(m[0]) == 2 else "\\[", escaped)
    escaped = _DISCORD_SYNTAX.sub(r"\\<", escaped)
    return shorten(escaped, limit)


def code(text: str) -> str:
    """`text` as inline code, even when it holds a backtick (a feed title may)."""
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def safe_url(url: str | None) -> str | None:
    """`url` if an embed may carry it (as its url, thumbnail, or a link in its text): http or
    https, with a host, under 2,048 characters, no spaces or control characters; else None."""
    if not url or len(url) >= URL_LIMIT or not url.isprintable() or any(c in url for c in " <>"):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # a malformed IPv6 literal or port
        return None
    return url if parts.scheme in {"http", "https"} and host else None


def link(label: str, url: str | None, limit: int) -> str:
    """`label` (page text) as a Markdown link to `url` in at most `limit` characters; the
    label alone when the URL is not safe, or too long to leave the label MIN_LABEL."""
    target = safe_url(url)
    if target is not None:
        target = target.replace("(", "%28").replace(")", "%29")  # a ")" would end the link
        room = limit - len(target) - len("[]()")
        if room >= MIN_LABEL:
            # Discord ends a label at the first "](", escaped or not: no brackets in it.
            return f"[{shown(label.translate(_NO_BRACKETS), room)}]({target})"
    return shown(label, limit)


def bare_link(url: str) -> str:
    """A URL in a reply, clickable without a preview (`<url>`); when unsafe or longer than
    SHOWN_URL, shown as cut text instead."""
    target = safe_url(url)
    if target is not None and len(target) + 2 <= SHOWN_URL:
        return f"<{target}>"
    return shown(url, SHOWN_URL)


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
    """Sentences as bullet points, escaped; the last ones cut or left out to fit `budget`."""
    lines: list[str] = []
    used = 0
    for sentence in sentences:
        room = budget - used - 3  # "• " and the newline
        if room < 40:
            break
        line = "• " + shown(sentence, room)
        lines.append(line)
        used += len(line) + 1
    return "\n".join(lines)


def reading_minutes(word_count: int) -> int:
    """Minutes to read so many words, at least one."""
    return max(1, math.ceil(word_count / WORDS_PER_MINUTE))


def footer_text(stored: StoredArticle) -> str:
    """Site, author and date. A footer shows no Markdown, so page text is not escaped here."""
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


def quote_words(quote: Quote, budget: int) -> str:
    """“The words,” shown as written (Markdown escaped), quotation marks included in `budget`."""
    return f"“{shown(quote.text, budget - 2)}”"


def quote_speaker(quote: Quote, *, described: bool = False, unknown: str = "") -> str:
    """Who said it, escaped, in at most SPEAKER_BUDGET: the person (`unknown` for an
    unresolved pronoun), then, if `described`, how the article describes them."""
    speaker = shown_speaker(quote) or unknown
    if described and quote.description:
        speaker = f"{speaker}, {quote.description}"
    return shown(speaker, SPEAKER_BUDGET)


def quote_line(quote: Quote, budget: int) -> str:
    """“The words,” — Speaker on one line, in at most `budget`: the card's key quote."""
    speaker = quote_speaker(quote)
    attribution = f" — {speaker}" if speaker else ""
    return quote_words(quote, budget - len(attribution)) + attribution


def summary_card(
    stored: StoredArticle,
    summary: Summary,
    requested: int,
    *,
    key_quote: Quote | None = None,
    topic: str | None = None,
) -> discord.Embed:
    """An article's card: title, link and the summary as bullets, what the summary kept of
    the text, then the key quote, the topic, the image and the footer when there are any."""
    article = stored.article
    embed = BudgetEmbed(
        title=shown(article.title or "Your text", TITLE_LIMIT),
        url=safe_url(article.url),
        description=bullet_list(summary.sentences),
        colour=discord.Colour.dark_teal(),
    )
    kept, total = len(summary.sentences), summary.total_sentences
    saved = f"{kept} of {total} sentences, {reading_minutes(article.word_count)} min read"
    if total < requested:
        saved += f" (the text has only {total}, so here it is whole)"
    if summary.cut:
        saved += (
            f" (a long text: picked from its first {SUMMARY_MAX_SENTENCES} sentences"
            f" or {SUMMARY_MAX_CHARACTERS:,} characters)"
        )
    embed.add_field(name="Summary", value=shorten(saved, FIELD_BUDGET), inline=False)
    if key_quote is not None:
        embed.add_field(name="Key quote", value=quote_line(key_quote, FIELD_BUDGET), inline=False)
    if topic is not None:
        embed.add_field(name="Topic", value=shown(topic, FIELD_BUDGET), inline=False)
    if image := safe_url(article.image):
        embed.set_thumbnail(url=image)
    footer = footer_text(stored)
    if footer:
        embed.set_footer(text=footer)
    return embed
