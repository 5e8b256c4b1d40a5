"""The feed benchmark still runs: a tiny scale, its second cycle all 304s and no posts."""

from __future__ import annotations

from benchmarks.feeds import run_scale, story, table, topics


def test_generated_stories_are_deterministic_and_varied() -> None:
    assert story(3, 7) == story(3, 7)
    assert len({story(3, index).title for index in range(20)}) > 10
    assert len(topics(50)) == 50


async def test_two_cycles_on_a_tiny_scale() -> None:
    first, second = await run_scale(5, 1)
    assert (first.feeds_200, first.new_entries, first.pages_fetched) == (5, 5, 5)
    assert first.cards_sent == first.cards_owed == first.discord_posts
    assert (second.feeds_304, second.pages_fetched, second.discord_requests) == (5, 0, 0)
    assert len(table([first, second])) == 4
