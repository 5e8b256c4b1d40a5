"""Lead-N: the first sentences, the baseline that news writing is built around."""

from __future__ import annotations

from bot.pipeline.summarizers.document import Document


class LeadSummarizer:
    """The first `count` sentences."""

    def __call__(self, document: Document, count: int) -> tuple[int, ...]:
        """See `Summarizer.__call__`."""
        return tuple(range(min(count, len(document.sentences))))
