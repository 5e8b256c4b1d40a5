import asyncio
import contextlib
import sqlite3
from pathlib import Path

import pytest

from bot.model import Article, DeliveryState, DeliveryTarget, Summary
from bot.services.guild_config import (
    CONFIG_KEYS,
    GuildConfig,
    GuildSettings,
    InvalidValue,
    UnknownSetting,
)
from bot.storage import SchemaTooNew, SQLiteStorage, Storage, latest_version
from bot.storage.migrate import available_migrations


async def test_new_database_is_at_the_latest_version_in_wal_mode(tmp_path: Path) -> None:
    storage = await SQLiteStorage.open(tmp_path / "sub" / "precis.db")
    try:
        assert await storage.schema_version() == latest_version() >= 1
        assert await storage.db.fetch_value("PRAGMA journal_mode") == "wal"
        assert await storage.db.fetch_value("PRAGMA foreign_keys") == 1
    finally:
        await storage.close()


async def test_older_database_upgrades_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:  # a database written by version 1 of the schema
        for statement in available_migrations()[0].statements():
            conn.execute(statement)
        conn.execute(
            "INSERT INTO guild_settings (guild_id, key, value) VALUES (1, 'summary_sentences', '6')"
        )
        conn.execute("PRAGMA user_version = 1")
    storage = await SQLiteStorage.open(path)
    try:
        assert await storage.schema_version() == latest_version()
        assert await storage.guild_settings.get_all(1) == {"summary_sentences": "6"}
    finally:
        await storage.close()


async def test_cards_left_sending_before_the_upgrade_count_from_when_they_were_owed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "v4.db"
    with sqlite3.connect(path) as conn:  # a database of version 4, before `sending_at`
        for migration in available_migrations()[:4]:
            for statement in migration.statements():
                conn.execute(statement)
        conn.executemany(
            "INSERT INTO deliveries (guild_id, channel_id, article_id, state, created_at) "
            "VALUES (1, ?, 7, ?, 1000)",
            [(10, "sending"), (11, "pending")],
        )
        conn.execute("PRAGMA user_version = 4")
    storage = await SQLiteStorage.open(path)
    try:
        (sending,) = await storage.deliveries.in_state("sending")
        (pending,) = await storage.deliveries.in_state("pending")
    finally:
        await storage.close()
    assert (sending.sending_at, pending.sending_at) == (1000, None)


async def test_newer_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {latest_version() + 1}")
    with pytest.raises(SchemaTooNew, match="upgrade precis"):
        await SQLiteStorage.open(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == latest_version() + 1
        assert conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] == 0


async def test_failed_migration_leaves_the_database_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.storage import migrate

    broken = [
        *available_migrations(),
        migrate.Migration(latest_version() + 1, "broken", "CREATE TABLE x (;"),
    ]
    monkeypatch.setattr(migrate, "available_migrations", lambda: broken)
    with pytest.raises(sqlite3.OperationalError):
        await SQLiteStorage.open(tmp_path / "precis.db")
    with sqlite3.connect(tmp_path / "precis.db") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
        assert (
            conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
            == 0
        )


async def test_guild_config_round_trip_and_validation(storage: Storage) -> None:
    config = GuildConfig(storage.guild_settings)
    assert (await config.all(42)).summary_sentences == 3
    assert await config.set(42, "Summary_Sentences", " 5 ") == 5
    assert await config.get(42, "summary_sentences") == 5
    assert await config.get(43, "summary_sentences") == 3  # other servers untouched
    with pytest.raises(InvalidValue, match=r"11 is not .* a whole number from 1 to 10"):
        await config.set(42, "summary_sentences", "11")
    with pytest.raises(UnknownSetting, match="There is no setting colour"):
        await config.set(42, "colour", "red")
    assert await config.reset(42, "summary_sentences") == 3
    assert await storage.guild_settings.get_all(42) == {}


async def test_every_default_survives_being_stored(storage: Storage) -> None:
    config = GuildConfig(storage.guild_settings)
    for name, key in CONFIG_KEYS.items():  # a default its own parser rejects would be lost
        typed = "none" if key.default is None else str(key.default)
        assert await config.set(42, name, typed) == key.default
    assert await config.all(42) == GuildSettings()
    assert len(await storage.guild_settings.get_all(42)) == len(CONFIG_KEYS)


async def test_stored_value_no_longer_valid_falls_back_to_default(storage: Storage) -> None:
    await storage.guild_settings.set(1, "summary_method", "retired-method")
    assert await GuildConfig(storage.guild_settings).get(1, "summary_method") == "precis"


def story(title: str = "Bridge closes", *paragraphs: str, url: str | None = None) -> Article:
    return Article(title=title, paragraphs=paragraphs or ("The bridge closes on Monday.",), url=url)


async def test_articles_are_found_by_every_url_and_by_content(storage: Storage) -> None:
    articles = storage.articles
    first = await articles.save(
        story(url="https://news.test/bridge"), requested_url="https://t.co/x", guild_id=7
    )
    assert (await articles.by_url("https://t.co/x")) == first
    assert (await articles.by_url("https://news.test/bridge")) == first
    again = await articles.save(
        story(url="https://mirror.test/bridge"), requested_url="https://m/1"
    )
    assert again.id == first.id  # the same content from a mirror is the same article
    assert (await articles.by_url("https://m/1")).id == first.id  # type: ignore[union-attr]
    assert await articles.by_url("https://elsewhere.test/") is None
    assert (await storage.counts())["articles"] == 1


async def test_summaries_are_cached_and_dropped_when_the_story_changes(
    storage: Storage,
) -> None:
    articles = storage.articles
    stored = await articles.save(story(url="https://news.test/a"))
    summary = Summary("precis", ("The bridge closes on Monday.",), 1)
    await articles.save_summary(stored.id, 3, summary)
    assert await articles.cached_summary(stored.id, "precis", 3) == summary
    assert await articles.cached_summary(stored.id, "lead", 3) is None
    updated = story("Bridge closes", "Now it closes on Tuesday.", url="https://news.test/a")
    assert (await articles.save(updated)).id == stored.id
    assert await articles.cached_summary(stored.id, "precis", 3) is None
    assert (await articles.get(stored.id)).article.paragraphs == ("Now it closes on Tuesday.",)  # type: ignore[union-attr]


async def test_reads_never_see_another_tasks_uncommitted_writes(storage: Storage) -> None:
    await storage.guild_settings.set(1, "summary_sentences", "4")
    written, read = asyncio.Event(), asyncio.Event()

    async def write_then_roll_back() -> None:
        with contextlib.suppress(RuntimeError):
            async with storage.db.transaction() as conn:
                await conn.execute("UPDATE guild_settings SET value = '9' WHERE guild_id = 1")
                written.set()
                await read.wait()
                raise RuntimeError("rolled back")

    writer = asyncio.create_task(write_then_roll_back())
    await written.wait()
    during = await storage.guild_settings.get_all(1)
    read.set()
    await writer
    assert during == {"summary_sentences": "4"}  # the committed value, not the pending one
    assert await storage.guild_settings.get_all(1) == {"summary_sentences": "4"}
    await storage.guild_settings.set(1, "summary_sentences", "5")
    assert await storage.guild_settings.get_all(1) == {"summary_sentences": "5"}


async def test_cards_are_claimed_and_marked_sent_many_at_a_time(storage: Storage) -> None:
    article = await storage.articles.save(Article("Bridge", ("It opens.",)))
    owed = []
    for channel in (10, 11, 12, 13):
        delivery = await storage.deliveries.create(DeliveryTarget(1, channel, "x"), article.id)
        assert delivery is not None
        owed.append(delivery.id)
    first, second, third, fourth = owed
    claimed = await storage.deliveries.claim([fourth, first, second, third, 999], now=50)
    again = await storage.deliveries.claim([first], now=60)
    await storage.deliveries.sent([(first, 501), (second, 502)], now=70)
    await storage.deliveries.retry([third], "503 Service Unavailable")
    await storage.deliveries.retry([fourth], "an earlier card waits", tried=False)
    await storage.deliveries.retry([first], "too late: it is sent")
    sent = await storage.deliveries.in_state(DeliveryState.SENT)
    pending = await storage.deliveries.in_state(DeliveryState.PENDING)
    posted_at_70 = await storage.deliveries.sent_since(10, 70)
    assert [d.id for d in claimed] == owed  # oldest first, the unknown id left out
    assert {(d.state, d.attempts, d.sending_at) for d in claimed} == {("sending", 1, 50)}
    assert again == []  # not pending any more
    assert [(d.id, d.message_id) for d in sent] == [(first, 501), (second, 502)]
    assert posted_at_70 == 1
    # A failed try counts; a claim given back untried does not.
    assert [(d.id, d.attempts) for d in pending] == [(third, 1), (fourth, 0)]


async def test_owed_cards_are_read_oldest_first_at_most_so_many_a_channel_or_none_of_some(
    storage: Storage,
) -> None:
    for number in range(5):
        article = await storage.articles.save(Article(f"Story {number}", ("It opens.",)))
        for channel in (10, 11) if number < 4 else (12,):
            await storage.deliveries.create(DeliveryTarget(1, channel, "x"), article.id)
    shared = await storage.deliveries.in_state(DeliveryState.PENDING, 5, per_channel=2)
    everything = await storage.deliveries.in_state(DeliveryState.PENDING)
    others = await storage.deliveries.in_state(DeliveryState.PENDING, excluding={10, 12})
    assert [(d.channel_id, d.article_id) for d in others] == [(11, n) for n in range(1, 5)]
    assert [(d.channel_id, d.article_id) for d in shared] == [
        (10, 1),
        (11, 1),
        (10, 2),
        (11, 2),
        (12, 5),
    ]
    assert len(everything) == 9
