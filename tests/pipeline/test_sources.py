"""The CLI's local sources: bounded, text only, in the charset they declare."""

from __future__ import annotations

import gzip
import re
import tracemalloc
from pathlib import Path

import pytest

from bot.cli.sources import MAX_BYTES, read_source
from bot.errors import UserError
from bot.model import Article
from bot.pipeline.fetch import create_session

LATIN_1_PAGE = (
    "<html><head><meta charset='iso-8859-1'><title>Le café du port</title></head><body>"
    "<article><p>Le café du port rouvre ses portes après des mois de travaux très attendus "
    "par les habitants du quartier, qui s'y retrouvent chaque matin.</p></article></body></html>"
)


async def read(source: str | Path) -> Article:
    async with create_session() as session:
        return await read_source(str(source), session)


async def test_a_gzip_bomb_is_refused_without_unpacking_it(tmp_path: Path) -> None:
    bomb = tmp_path / "zeros.txt.gz"
    with gzip.open(bomb, "wb") as packing:
        for _ in range(100):
            packing.write(bytes(MAX_BYTES // 5))  # 100 MB of zeros in all
    assert bomb.stat().st_size < 200_000
    tracemalloc.start()
    try:
        with pytest.raises(UserError, match="unpacks to more than 5 MB"):
            await read(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 * MAX_BYTES  # a bounded few times the cap, never the 100 MB it unpacks to


async def test_a_file_over_the_cap_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"All work and no play. " * (MAX_BYTES // 20))
    with pytest.raises(UserError, match="is bigger than 5 MB"):
        await read(big)


@pytest.mark.parametrize(
    "data",
    [
        b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00 a program, not an article " * 20,
        bytes(range(1, 256)) * 20,  # no NUL, but not text in any charset it declares
        "A UTF-16 text without a byte order mark is binary here.".encode("utf-16-le"),
    ],
)
async def test_binary_data_is_refused(tmp_path: Path, data: bytes) -> None:
    (tmp_path / "data.bin").write_bytes(data)
    (tmp_path / "data.bin.gz").write_bytes(gzip.compress(data))
    for name in ("data.bin", "data.bin.gz"):
        with pytest.raises(UserError, match="is binary, not text or HTML"):
            await read(tmp_path / name)


async def test_declared_charset_is_honoured(tmp_path: Path) -> None:
    page = tmp_path / "cafe.html"
    page.write_bytes(LATIN_1_PAGE.encode("latin-1"))
    article = await read(page)
    assert article.title == "Le café du port"
    assert "après des mois de travaux très attendus" in article.text
    bom = tmp_path / "bom.txt"
    bom.write_bytes("\ufeffLe café du port rouvre ses portes après des mois.".encode())
    assert "Le café du port rouvre" in (await read(bom)).text


async def test_gzip_is_known_by_its_content_not_its_name(tmp_path: Path) -> None:
    packed = tmp_path / "page.html"  # no .gz, as on stdin
    packed.write_bytes(gzip.compress(LATIN_1_PAGE.encode("latin-1")))
    assert (await read(packed)).title == "Le café du port"


@pytest.mark.parametrize(
    ("source", "says"),
    [
        ("ftp://files.example/news.html", "ftp:// is not supported: give a file, an http(s) URL"),
        ("not a url", "no such file, and not an http(s) URL"),
    ],
)
async def test_what_is_wrong_with_a_source_is_said(source: str, says: str) -> None:
    with pytest.raises(UserError, match=rf"^{re.escape(says)}"):
        await read(source)
