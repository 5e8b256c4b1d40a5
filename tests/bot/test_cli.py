import asyncio
import gzip
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

import bot
from bot.storage import latest_version
from tests.fixtures.pages import ARTICLE_PARAGRAPHS, PageServer, article_html
from tests.postgres import PostgresServer

REPO = Path(__file__).resolve().parents[2]


def cli_env(**settings: str) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), **settings}


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=cli_env(**(env or {})),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_version(tmp_path: Path) -> None:
    result = run_cli("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"precis {bot.__version__}"


def test_run_without_token_exits_with_one_line(tmp_path: Path) -> None:
    result = run_cli("run", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("precis: DISCORD_TOKEN is not set")
    assert "Traceback" not in result.stderr


def test_worker_without_token_exits_with_one_line(tmp_path: Path) -> None:
    result = run_cli("worker", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("precis: DISCORD_TOKEN is not set")
    assert result.stderr.count("\n") == 1


def test_bad_setting_exits_with_one_line(tmp_path: Path) -> None:
    result = run_cli(cwd=tmp_path, env={"DISCORD_TOKEN": "x", "PRECIS_POLL_SECONDS": "often"})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "precis: PRECIS_POLL_SECONDS must be a whole number of at least 30, not 'often'."
    )


def test_db_upgrade_creates_and_reports_the_version(tmp_path: Path) -> None:
    result = run_cli("db", "upgrade", cwd=tmp_path, env={"PRECIS_DATABASE": "state/x.db"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("state/x.db: schema version ")
    assert (tmp_path / "state" / "x.db").is_file()


def test_db_upgrade_migrates_a_postgresql_database_and_keeps_its_password_quiet(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    with postgres_server.fresh_database(migrated=False) as url:
        parts = urlsplit(url)  # trust auth: the server ignores the password
        netloc = f"{parts.username}:s3cret@{parts.hostname}:{parts.port}"
        with_password = urlunsplit(parts._replace(netloc=netloc))
        result = run_cli("db", "upgrade", cwd=tmp_path, env={"PRECIS_DATABASE": with_password})
        again = run_cli("db", "upgrade", cwd=tmp_path, env={"PRECIS_DATABASE": with_password})
    assert result.returncode == 0, result.stderr
    shown = with_password.replace(":s3cret@", ":***@")
    assert result.stdout == again.stdout == f"{shown}: schema version {latest_version()}\n"
    assert list(tmp_path.iterdir()) == []  # no SQLite file made on the side


FIXTURES = REPO / "tests" / "pipeline" / "fixtures" / "extract"


def json_lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines()]


def test_extract_json_for_html_gzip_text_and_a_bad_source(tmp_path: Path) -> None:
    page = tmp_path / "page.html.gz"
    page.write_bytes(gzip.compress((FIXTURES / "noisy-page.html").read_bytes()))
    paste = FIXTURES / "noisy-paste.txt"
    result = run_cli("extract", str(page), "missing.html", str(paste), "--json", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == "precis: missing.html: no such file, and not an http(s) URL\n"
    first, second = json_lines(result.stdout)
    assert list(first) == ["source", "url", "title", "author", "published", "text"]
    assert first["source"] == str(page)
    assert first["title"] == "Harbour town votes to keep its lighthouse lit"
    assert "Share" not in str(first["text"])
    assert second["source"] == str(paste)
    assert second["url"] is None


def test_summarize_stdin_as_json(tmp_path: Path) -> None:
    text = (FIXTURES / "noisy-paste.txt").read_text()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "summarize",
            "-",
            "--sentences",
            "2",
            "--method",
            "lead",
            "--json",
        ],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)},
        input=text,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    (report,) = json_lines(result.stdout)
    assert list(report) == ["source", "url", "title", "method", "sentences"]
    assert report["source"] == "-" and report["method"] == "lead"
    assert len(report["sentences"]) == 2  # type: ignore[arg-type]
    assert str(report["sentences"][0]) in text  # type: ignore[index]


def test_binary_and_other_unsupported_sources_get_one_line_each(tmp_path: Path) -> None:
    result = run_cli("extract", sys.executable, "ftp://files.example/a.html", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"precis: {sys.executable}: is binary, not text or HTML",
        "precis: ftp://files.example/a.html: ftp:// is not supported: give a file, an http(s) "
        "URL or -",
    ]


def test_gzipped_html_on_stdin_is_unpacked(tmp_path: Path) -> None:
    page = gzip.compress((FIXTURES / "noisy-page.html").read_bytes())
    result = subprocess.run(
        [sys.executable, "-m", "bot", "extract", "-", "--json"],
        cwd=tmp_path,
        env=cli_env(),
        input=page,
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    (report,) = json_lines(result.stdout.decode())
    assert report["title"] == "Harbour town votes to keep its lighthouse lit"


def test_summarize_readable_text_and_bad_options(tmp_path: Path) -> None:
    result = run_cli("summarize", str(FIXTURES / "noisy-page.html"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    title, *rest = result.stdout.splitlines()
    assert title == "Harbour town votes to keep its lighthouse lit"
    assert sum(line.startswith("  • ") for line in rest) == 3
    bad = run_cli("summarize", "x.txt", "--sentences", "0", cwd=tmp_path)
    assert bad.returncode == 2
    assert "must be a whole number from 1 to 10" in bad.stderr


def test_commands_that_dont_run_the_bot_ignore_its_settings(tmp_path: Path) -> None:
    bad = {
        "DISCORD_TOKEN": "",
        "PRECIS_PREFIX": "far too long",
        "PRECIS_SYNC_ON_START": "everywhere",
        "PRECIS_POLL_SECONDS": "5",
        "PRECIS_MESSAGE_CONTENT": "maybe",
    }
    (tmp_path / ".env").write_text("".join(f"{name}={value}\n" for name, value in bad.items()))
    extract = run_cli("extract", str(FIXTURES / "noisy-paste.txt"), cwd=tmp_path)
    assert extract.returncode == 0, extract.stderr
    assert run_cli("db", "upgrade", cwd=tmp_path).returncode == 0
    refused = run_cli("run", cwd=tmp_path, env={"DISCORD_TOKEN": "x"})
    assert refused.returncode == 2
    assert refused.stderr.startswith("precis: PRECIS_PREFIX must be 1 to 5 characters")


@pytest.mark.parametrize(
    ("database", "says"),
    [
        ("folder", "PRECIS_DATABASE=folder is a folder, not a file."),
        ("notes.txt", "PRECIS_DATABASE=notes.txt is not a SQLite database"),
        ("notes.txt/precis.db", "PRECIS_DATABASE=notes.txt/precis.db is in a folder that cannot"),
        (
            "mysql://precis@db.example/precis",
            "PRECIS_DATABASE must be a SQLite file path or a postgresql:// URL, not "
            "'mysql://precis@db.example/precis'",
        ),
        (  # nothing listens on port 1: refused at once; the password is not shown
            "postgresql://precis:secret@127.0.0.1:1/precis",
            "PRECIS_DATABASE=postgresql://precis:***@127.0.0.1:1/precis cannot be opened (",
        ),
    ],
)
def test_bad_database_setting_exits_with_one_line(tmp_path: Path, database: str, says: str) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "notes.txt").write_text("not a database, just notes\n")
    for command in (("db", "upgrade"), ("run",)):
        result = run_cli(
            *command, cwd=tmp_path, env={"DISCORD_TOKEN": "x", "PRECIS_DATABASE": database}
        )
        assert result.returncode == 2
        assert result.stderr.count("\n") == 1, result.stderr
        assert result.stderr.startswith(f"precis: {says}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "notes.txt"]  # none made
    assert (tmp_path / "notes.txt").read_text() == "not a database, just notes\n"


async def test_slow_work_is_told_on_stderr_and_stdout_stays_json(
    pages: PageServer, tmp_path: Path
) -> None:
    url = pages.add("/slow", article_html())
    pages.delay = 1.5  # the site takes its time
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot", "extract", url, "--json"),
        cwd=tmp_path,
        env=cli_env(PRECIS_ALLOW_PRIVATE_URLS="true"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, stderr
    assert stderr.decode() == f"Fetching 127.0.0.1:{pages.port}…\n"
    (report,) = json_lines(stdout.decode())
    assert report["url"] == url


def test_ctrl_c_stops_long_work_at_once_with_130(tmp_path: Path) -> None:
    long_text = tmp_path / "long.txt"  # finding its quotes takes seconds
    long_text.write_text(
        "\n\n".join(f"{p} (Report {n}.)" for n in range(3000) for p in ARTICLE_PARAGRAPHS)
    )
    command = ("quotes", str(long_text), "--json")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", *command],
        cwd=tmp_path,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None and process.stdout is not None
        told = []
        while (line := process.stderr.readline()) not in ("Finding quotes…\n", ""):
            told.append(line)
        assert line == "Finding quotes…\n", told
        process.send_signal(signal.SIGINT)
        interrupted = time.monotonic()
        process.wait(timeout=30)
        stopped_after = time.monotonic() - interrupted
        assert process.returncode == 130
        assert stopped_after < 5  # at once; generous for a busy machine
        assert process.stdout.read() == ""
        assert process.stderr.read() == ""  # no traceback
    finally:
        process.kill()
        process.wait()


@pytest.mark.parametrize("option", ["--version", "--help"])
def test_version_and_help_import_nothing_heavy(tmp_path: Path, option: str) -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bot", option],
        cwd=tmp_path,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()}
    heavy = {"discord", "aiohttp", "aiosqlite", "trafilatura", "sumy", "nltk", "numpy"}
    assert "bot.cli.main" in imported
    assert not heavy & imported


def test_a_reader_that_went_away_is_no_traceback(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `precis extract ... | head -1` once head is done
    try:
        result = subprocess.run(
            [sys.executable, "-m", "bot", "extract", str(FIXTURES / "noisy-paste.txt")],
            cwd=tmp_path,
            env=cli_env(),
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert result.returncode == 1
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("shards", "count", "expected"),
    [
        ("0-3", "8", [0, 1, 2, 3]),
        ("5", "8", [5]),
        ("0,2,4-5", "6", [0, 2, 4, 5]),
        ("3,1,1", "4", [1, 3]),
    ],
)
def test_shards_are_read_as_ids_of_the_count(shards: str, count: str, expected: list[int]) -> None:
    from bot.cli.main import build_parser, shard_plan

    args = build_parser().parse_args(["run", "--shards", shards, "--shard-count", count])
    assert shard_plan(args) == (expected, int(count))


def test_no_shards_means_discords_recommendation() -> None:
    from bot.cli.main import build_parser, shard_plan

    assert shard_plan(build_parser().parse_args(["run"])) is None
    assert shard_plan(build_parser().parse_args([])) is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--shards", "0-3"], "--shards needs --shard-count"),
        (["--shard-count", "8"], "--shard-count needs --shards"),
        (["--shards", "0-8", "--shard-count", "8"], "shard 8 is not below --shard-count 8"),
        (["--shards", "3-1", "--shard-count", "8"], "--shards takes ids like 0-3 or 0,2,5"),
        (["--shards", "one", "--shard-count", "8"], "--shards takes ids like 0-3 or 0,2,5"),
        (["--shards", "0", "--shard-count", "0"], "--shard-count must be a whole number"),
    ],
)
def test_bad_shards_exit_with_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    result = run_cli("run", *args, cwd=tmp_path, env={"DISCORD_TOKEN": "x"})
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"precis: {message}")


def test_db_purge_deletes_what_is_older_than_the_retention(tmp_path: Path) -> None:
    env = {"PRECIS_DATABASE": "x.db", "PRECIS_RETENTION_DAYS": "30"}
    assert run_cli("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    with sqlite3.connect(tmp_path / "x.db") as conn:
        conn.executemany(
            "INSERT INTO articles (content_hash, title, paragraphs, word_count, created_at) "
            "VALUES (?, 'T', '[]', 0, ?)",
            [("old", 1000), ("new", int(time.time()))],
        )
    result = run_cli("db", "purge", cwd=tmp_path, env=env)
    kept = run_cli("db", "purge", cwd=tmp_path, env={**env, "PRECIS_RETENTION_DAYS": "0"})
    assert result.returncode == kept.returncode == 0, result.stderr
    assert result.stdout == (
        "x.db: purged what is older than 30 days: articles 1, quotes 0, deliveries 0, "
        "feed entries 0, speakers 0\n"
    )
    assert kept.stdout.startswith("PRECIS_RETENTION_DAYS is 0: everything is kept")
    with sqlite3.connect(tmp_path / "x.db") as conn:
        assert conn.execute("SELECT content_hash FROM articles").fetchall() == [("new",)]
