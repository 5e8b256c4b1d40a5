from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings


def test_defaults_with_only_a_token() -> None:
    settings = load_settings({"DISCORD_TOKEN": "abc"}, env_file=None)
    assert settings.token == "abc"
    assert settings.database == Path("data/precis.db")
    assert settings.prefix == "!"
    assert settings.sync_on_start == ""
    assert settings.log_level == "INFO"
    assert settings.allow_private_urls is False
    assert settings.poll_seconds == 600
    assert settings.message_content is False
    assert settings.posts_per_second == 45
    assert (settings.metrics_port, settings.metrics_host) == (0, "127.0.0.1")  # no server
    assert settings.retention_days == 90


def test_missing_token_says_how_to_set_it() -> None:
    with pytest.raises(
        SettingsError, match=r"DISCORD_TOKEN is not set: put DISCORD_TOKEN=.* in \.env"
    ):
        load_settings({}, env_file=None)


def test_env_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("DISCORD_TOKEN=from-file\nPRECIS_PREFIX=?\nPRECIS_POLL_SECONDS=120\n")
    settings = load_settings(
        {"PRECIS_PREFIX": "$", "PRECIS_POSTS_PER_SECOND": "2.5"}, env_file=env_file
    )
    assert settings.posts_per_second == 2.5
    assert settings.token == "from-file"
    assert settings.prefix == "$"
    assert settings.poll_seconds == 120


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PRECIS_SYNC_ON_START", "everywhere"),
        ("PRECIS_LOG_LEVEL", "loud"),
        ("PRECIS_ALLOW_PRIVATE_URLS", "maybe"),
        ("PRECIS_POLL_SECONDS", "5"),
        ("PRECIS_POLL_SECONDS", "ten"),
        ("PRECIS_PREFIX", "   "),
        ("PRECIS_MESSAGE_CONTENT", "2"),
        ("PRECIS_POSTS_PER_SECOND", "0"),
        ("PRECIS_POSTS_PER_SECOND", "fast"),
        ("PRECIS_POSTS_PER_SECOND", "nan"),
        ("PRECIS_METRICS_PORT", "65536"),
        ("PRECIS_METRICS_PORT", "-1"),
        ("PRECIS_METRICS_PORT", "http"),
        ("PRECIS_METRICS_HOST", " "),
        ("PRECIS_RETENTION_DAYS", "-1"),
        ("PRECIS_RETENTION_DAYS", "a month"),
    ],
)
def test_bad_value_names_the_setting(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings({"DISCORD_TOKEN": "abc", name: value}, env_file=None)


def test_sync_target_and_booleans() -> None:
    settings = load_settings(
        {
            "DISCORD_TOKEN": "abc",
            "PRECIS_SYNC_ON_START": "123456789012345678",
            "PRECIS_ALLOW_PRIVATE_URLS": "yes",
            "PRECIS_LOG_LEVEL": "debug",
            "PRECIS_METRICS_PORT": " 9108 ",
            "PRECIS_METRICS_HOST": "0.0.0.0",
        },
        env_file=None,
    )
    assert (settings.metrics_port, settings.metrics_host) == (9108, "0.0.0.0")
    assert settings.sync_guild_id == 123456789012345678
    assert settings.allow_private_urls is True
    assert settings.log_level == "DEBUG"


BAD_BOT_SETTINGS = {
    "DISCORD_TOKEN": "",
    "PRECIS_PREFIX": "far too long",
    "PRECIS_SYNC_ON_START": "everywhere",
    "PRECIS_POLL_SECONDS": "5",
    "PRECIS_MESSAGE_CONTENT": "2",
}


def test_only_the_named_settings_are_read_the_rest_keep_their_defaults() -> None:
    settings = load_settings(
        {**BAD_BOT_SETTINGS, "PRECIS_ALLOW_PRIVATE_URLS": "yes"},
        env_file=None,
        only={"PRECIS_ALLOW_PRIVATE_URLS"},
    )
    assert settings.allow_private_urls is True
    assert (settings.prefix, settings.poll_seconds, settings.sync_on_start) == ("!", 600, "")
    with pytest.raises(SettingsError, match="PRECIS_ALLOW_PRIVATE_URLS"):
        load_settings(
            {"PRECIS_ALLOW_PRIVATE_URLS": "maybe"},
            env_file=None,
            only={"PRECIS_ALLOW_PRIVATE_URLS"},
        )


@pytest.mark.parametrize("url", ["sqlite:///data/precis.db", "file:x.db", "mysql://db/precis"])
def test_database_url_other_than_postgresql_is_refused(url: str) -> None:
    with pytest.raises(
        SettingsError, match="PRECIS_DATABASE must be a SQLite file path or a postgresql:// URL"
    ):
        load_settings({"DISCORD_TOKEN": "abc", "PRECIS_DATABASE": url}, env_file=None)


@pytest.mark.parametrize(
    "url", ["postgresql://precis:secret@db.example:5433/precis", "postgres://db.example/precis"]
)
def test_database_postgresql_url_is_kept_as_written(url: str) -> None:
    settings = load_settings({"DISCORD_TOKEN": "abc", "PRECIS_DATABASE": f" {url} "}, env_file=None)
    assert settings.database == url


@pytest.mark.parametrize(("raw", "days"), [("0", 0), (" 30 ", 30), ("365", 365)])
def test_retention_days_zero_keeps_everything(raw: str, days: int) -> None:
    settings = load_settings({"DISCORD_TOKEN": "abc", "PRECIS_RETENTION_DAYS": raw}, env_file=None)
    assert settings.retention_days == days
