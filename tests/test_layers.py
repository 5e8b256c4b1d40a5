"""The layers of the code, as a contract that every module's imports are checked against.

Lowest first: the records (`bot.model`), the news pipeline, storage, the services, the
Discord client, the cogs; the CLI sits beside the client. A module may import its own layer
and those its layer lists, nothing above or across. Every import counts, at the top, inside a
function or under `TYPE_CHECKING`: each is a dependency. To tighten the contract, edit the
tables; to place a new module, give it a layer in `LAYER_OF`.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "cogs")


@dataclass(frozen=True)
class Layer:
    may_import: frozenset[str]  # the other layers it may import
    packages: frozenset[str] | None  # the third-party packages it may import; None: any
    discord: bool = False  # whether it may import discord.py (only the client and above)


LAYERS = {
    # The records every layer shares. Only the standard library.
    "model": Layer(frozenset(), frozenset()),
    # Pure functions on records: fetch, extract, clean, summarize, quotes, topics, feeds...
    "pipeline": Layer(frozenset({"model"}), None),
    # SQL behind the repository protocols: records in, records out.
    "storage": Layer(frozenset({"model"}), frozenset({"aiosqlite", "asyncpg"})),
    # The core services: the pipeline and storage put to work.
    "services": Layer(frozenset({"model", "pipeline", "storage"}), None),
    # The edge of the services' metrics: Prometheus, and the server of /metrics and /healthz.
    "monitoring": Layer(
        frozenset({"model", "storage", "services"}), frozenset({"aiohttp", "prometheus_client"})
    ),
    # Typed settings from the environment, read by whoever starts the bot.
    "settings": Layer(frozenset({"model"}), None),
    # The composition root: storage, the session and the services, made from the settings.
    "composition": Layer(
        frozenset({"model", "pipeline", "storage", "services", "settings", "monitoring"}), None
    ),
    "client": Layer(
        frozenset({"model", "pipeline", "storage", "services", "settings", "composition"}),
        None,
        discord=True,
    ),
    # Thin: they parse, call a service, and word its results for Discord.
    "cogs": Layer(frozenset({"model", "services", "client"}), None, discord=True),
    # The `precis` news commands (extract, summarize, quotes): the pipeline on files and URLs,
    # given what they need from the settings by the command line.
    "news_cli": Layer(frozenset({"model", "pipeline", "services"}), None),
    # The `precis` command: reads the settings, then starts the client or a news command.
    "cli": Layer(
        frozenset(
            {"model", "pipeline", "storage", "services", "settings", "composition", "client"}
            | {"news_cli", "monitoring"}
        ),
        None,
        discord=True,
    ),
}

# Module (or package, with everything under it) -> layer; the longest match wins. `bot`
# itself holds only the version, and a module under `bot` not listed here falls to the
# strictest layer until it is given its own.
LAYER_OF = {
    "bot": "model",
    "bot.model": "model",
    "bot.errors": "model",
    "bot.pipeline": "pipeline",
    "bot.storage": "storage",
    "bot.services": "services",
    "bot.composition": "composition",
    "bot.monitoring": "monitoring",
    "bot.settings": "settings",
    "bot.client": "client",
    "cogs": "cogs",
    "bot.__main__": "cli",
    "bot.cli": "cli",
    "bot.cli.news": "news_cli",
    "bot.cli.sources": "news_cli",
}

# (importer, imported) pairs allowed against the layers, each saying why and until when.
EXCEPTIONS: dict[tuple[str, str], str] = {}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {
        module_name(path): path for package in PACKAGES for path in (ROOT / package).rglob("*.py")
    }


MODULES = modules()


def layer_of(module: str) -> str:
    owners = [key for key in LAYER_OF if module == key or module.startswith(key + ".")]
    assert owners, f"{module} has no layer in LAYER_OF"
    return LAYER_OF[max(owners, key=len)]


def imported(module: str, path: Path) -> Iterator[str]:
    """Every module that `module` imports; `from package import module` names the module."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")[: len(module.split(".")) - node.level + is_package]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                child = f"{base}.{alias.name}"
                yield child if child in MODULES else base


def allowed(layer: str, target: str) -> bool:
    rules = LAYERS[layer]
    top = target.split(".")[0]
    if top in PACKAGES:
        return layer_of(target) in rules.may_import | {layer}
    if top == "discord":
        return rules.discord
    is_third_party = top not in sys.stdlib_module_names
    return not is_third_party or rules.packages is None or top in rules.packages


def violations(module: str, path: Path) -> Iterator[str]:
    layer = layer_of(module)
    for target in sorted(set(imported(module, path))):
        if (module, target) not in EXCEPTIONS and not allowed(layer, target):
            where = f" ({layer_of(target)})" if target.split(".")[0] in PACKAGES else ""
            yield f"{module} ({layer}) imports {target}{where}"


def test_every_layer_names_layers() -> None:
    for name, layer in LAYERS.items():
        assert layer.may_import <= LAYERS.keys() - {name}, name
    assert set(LAYER_OF.values()) <= LAYERS.keys()


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_imports_only_its_own_layer_and_those_below(module: str) -> None:
    assert list(violations(module, MODULES[module])) == []


def test_every_exception_is_still_needed() -> None:
    for importer, target in EXCEPTIONS:
        assert target in set(imported(importer, MODULES[importer])), (importer, target)


@pytest.mark.parametrize(
    ("module", "not_loaded"),
    [
        # A worker or another backend can use storage without the pipeline and its models.
        ("bot.storage", ("bot.pipeline", "sumy", "numpy", "nltk", "discord")),
        # Settings are checked without loading the summarizers.
        ("bot.services.guild_config", ("bot.pipeline", "sumy", "numpy", "nltk", "discord")),
        ("bot.model", ("bot.storage", "bot.pipeline", "aiosqlite")),
    ],
)
def test_importing_a_layer_loads_nothing_above_it(module: str, not_loaded: tuple[str, ...]) -> None:
    script = (
        f"import sys, {module}\n"
        f"print(sorted(m for m in sys.modules "
        f"if any(m == p or m.startswith(p + '.') for p in {not_loaded!r})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# What the client holds for the tests and the composition root, not for the cogs: a cog that
# reads it goes around the services, which the import table alone would not see.
BELOW_THE_SERVICES = frozenset({"storage", "session"})


@pytest.mark.parametrize("module", sorted(m for m in MODULES if layer_of(m) == "cogs"))
def test_cogs_reach_the_core_only_through_services(module: str) -> None:
    tree = ast.parse(MODULES[module].read_text())
    reached = [
        f"line {node.lineno}: .{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in BELOW_THE_SERVICES
    ]
    assert reached == []
