"""The scale benchmark still runs: a tiny scale on each backend, one worker process, every
card out once."""

from __future__ import annotations

import pytest

from benchmarks.scale import Config, parse_args, run_config, table


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_a_tiny_scale_posts_every_card_once(
    backend: str, request: pytest.FixtureRequest
) -> None:
    if backend == "postgresql":  # skipped, or failed on CI, like the other PostgreSQL tests
        request.getfixturevalue("postgres_server")
    args = parse_args(["--feeds", "6", "--channels", "2", "--subscriptions", "10"])
    figures = await run_config(Config(backend, 1), False, args)
    assert (figures.cards, figures.twice, figures.missing) == (6, 0, 0)
    assert figures.poll_s <= figures.wall_s
    assert figures.database_mb > 0 and len(figures.peak_rss_mb) == 1
    assert len(table([figures])) == 3
