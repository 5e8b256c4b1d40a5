"""The storage benchmark still runs: a tiny database, searched, purged by half."""

from __future__ import annotations

from pathlib import Path

from benchmarks.storage import Corpus, run_backend, table


def test_generated_corpus_is_deterministic() -> None:
    assert Corpus().queries(3) == Corpus().queries(3)
    assert len(Corpus().people) > 1000


async def test_a_tiny_database_is_measured_and_purged_by_half(tmp_path: Path) -> None:
    figures = await run_backend(tmp_path / "precis.db", 200)
    assert figures.purged == 100
    assert figures.size_after_mb < figures.size_before_mb
    assert all(ms > 0 for ms in (*figures.search_ms, *figures.cold_ms, *figures.warm_ms))
    assert len(table([figures])) == 3
