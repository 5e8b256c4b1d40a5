"""`.env.example` and the README's configuration table say what the declarations in
bot/settings.py say, and the CLI names only declared settings."""

from pathlib import Path

from bot.cli.main import COMMAND_SETTINGS
from bot.settings import declared_settings, env_example, readme_table

ROOT = Path(__file__).resolve().parents[2]
REWRITE = "write it anew: python -c 'from bot import settings; print(settings.{}(), end=\"\")'"


def test_env_example_is_written_from_the_declarations() -> None:
    committed = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert committed == env_example(), ".env.example is stale: " + REWRITE.format("env_example")


def test_readme_configuration_table_is_written_from_the_declarations() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.find("| setting | default | meaning |")
    assert start != -1, "README.md has no configuration table"
    table = readme[start : readme.index("\n\n", start) + 1]
    assert table == readme_table(), "README's configuration table is stale: " + REWRITE.format(
        "readme_table"
    )


def test_commands_read_only_declared_settings() -> None:
    declared = {setting.variable for _, setting in declared_settings()}
    for command, names in COMMAND_SETTINGS.items():
        assert names is None or names <= declared, command
