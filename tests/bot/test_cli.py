import subprocess
import sys
from pathlib import Path

import bot

REPO = Path(__file__).resolve().parents[2]


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), **(env or {})},
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
