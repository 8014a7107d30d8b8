"""Web app files: manifest, generated icons, and the service worker's build facts."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from pebbles.model import Brand, SiteConfig, Topic
from pebbles.pwa import (
    ICONS,
    KILL_SWITCH,
    icon_png,
    manifest,
    short_name,
    write_pwa,
)

THEME_WORKER = Path(__file__).resolve().parents[1] / "renderer" / "static" / "sw.js"


def _brand(name: str = "Pynfinity") -> Brand:
    return Brand(name, "hero", "tagline", "footer", "Lessons.", "https://x.org/", "", "main", "en")


def _config(root: Path, name: str = "Pynfinity") -> SiteConfig:
    topic = Topic("basics", "Basics", "🧱", "")
    return SiteConfig(root=root, brand=_brand(name), nav=(), levels=(), topics=(topic,))


def _built(tmp_path: Path) -> Path:
    out = tmp_path / "_site"
    for relative, text in {
        "index.html": "<html></html>",
        "posts/a/index.html": "<html></html>",
        "static/css/site.css": "body{}",
        "static/js/core.js": "1",
        "pagefind/pagefind.js": "index",
    }.items():
        (out / relative).parent.mkdir(parents=True, exist_ok=True)
        (out / relative).write_text(text)
    return out


def _facts(out: Path) -> dict[str, object]:
    first = (out / "sw.js").read_text().splitlines()[0]
    assert first.startswith("var BUILD = ") and first.endswith(";")
    facts: dict[str, object] = json.loads(first.removeprefix("var BUILD = ").removesuffix(";"))
    return facts


def test_manifest_names_the_site_and_stays_relative() -> None:
    data = manifest(_brand())
    assert data["name"] == "Pynfinity"
    assert data["start_url"] == data["scope"] == "./"
    assert data["display"] == "standalone"


def test_manifest_lists_any_and_maskable_icons() -> None:
    icons = manifest(_brand())["icons"]
    assert isinstance(icons, list)
    assert {(i["sizes"], i["purpose"]) for i in icons} == {
        ("192x192", "any"),
        ("512x512", "any"),
        ("512x512", "maskable"),
    }


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("Pynfinity", "Pynfinity"),
        ("Pebbles of Python", "Pebbles"),
        ("Supercalifragilistic", "Supercalifra"),
    ],
)
def test_short_name_fits_a_launcher(name: str, short: str) -> None:
    assert short_name(name) == short


def test_icons_have_their_size_and_shape() -> None:
    plain = Image.open(io.BytesIO(icon_png("Pynfinity", 192, full_bleed=False)))
    full = Image.open(io.BytesIO(icon_png("Pynfinity", 512, full_bleed=True)))
    assert plain.size == (192, 192) and full.size == (512, 512)
    # A rounded tile leaves its corners clear; a maskable icon fills them.
    assert plain.getpixel((0, 0))[3] == 0
    assert full.getpixel((0, 0))[3] == 255


def test_icon_shows_a_letter_in_the_middle() -> None:
    image = Image.open(io.BytesIO(icon_png("Pynfinity", 192, full_bleed=True))).convert("RGB")
    colours = {image.getpixel((x, 96)) for x in range(40, 152)}
    assert (255, 255, 255) in colours and len(colours) > 1


def test_write_pwa_writes_manifest_icons_and_worker(tmp_path: Path) -> None:
    out = _built(tmp_path)
    write_pwa(out, _config(tmp_path), THEME_WORKER)
    assert json.loads((out / "manifest.webmanifest").read_text())["short_name"] == "Pynfinity"
    for icon in ICONS:
        assert Image.open(out / icon.path).size == (icon.size, icon.size)
    assert 'addEventListener("fetch"' in (out / "sw.js").read_text()


def test_worker_precaches_assets_but_not_pages_or_the_index(tmp_path: Path) -> None:
    out = _built(tmp_path)
    write_pwa(out, _config(tmp_path), THEME_WORKER)
    precache = _facts(out)["precache"]
    assert isinstance(precache, list)
    assert "static/css/site.css" in precache and "manifest.webmanifest" in precache
    assert "icons/icon-192.png" in precache
    assert not [
        p for p in precache if p.endswith(".html") or p.startswith("pagefind/") or p == "sw.js"
    ]


def test_cache_version_follows_assets_not_pages(tmp_path: Path) -> None:
    out = _built(tmp_path)
    config = _config(tmp_path)
    write_pwa(out, config, THEME_WORKER)
    first = _facts(out)["version"]
    (out / "posts/a/index.html").write_text("<html>edited</html>")
    write_pwa(out, config, THEME_WORKER)
    assert _facts(out)["version"] == first
    (out / "static/css/site.css").write_text("body{color:red}")
    write_pwa(out, config, THEME_WORKER)
    assert _facts(out)["version"] != first


def test_offline_page_is_named_only_when_built(tmp_path: Path) -> None:
    out = _built(tmp_path)
    write_pwa(out, _config(tmp_path), THEME_WORKER)
    assert _facts(out)["offline"] is None
    (out / "offline.html").write_text("<html>offline</html>")
    write_pwa(out, _config(tmp_path), THEME_WORKER)
    assert _facts(out)["offline"] == "offline.html"


def test_kill_switch_file_retires_the_worker(tmp_path: Path) -> None:
    out = _built(tmp_path)
    write_pwa(out, _config(tmp_path), THEME_WORKER)
    assert _facts(out)["kill"] is False
    live = _facts(out)["version"]
    (tmp_path / KILL_SWITCH).touch()
    write_pwa(out, _config(tmp_path), THEME_WORKER)
    assert _facts(out)["kill"] is True
    # A new version makes browsers install the retiring worker.
    assert _facts(out)["version"] != live
