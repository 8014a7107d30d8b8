"""Web app files: generated icons, the manifest template, and the service worker's facts."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jinja2
from PIL import Image

from pebbles.model import Brand, SiteConfig, Topic
from pebbles.pwa import ICONS, KILL_SWITCH, icon_png, write_pwa

THEME = Path(__file__).resolve().parents[1] / "renderer"
WORKER = THEME / "static" / "sw.js"
ASSETS = {"css/site.css": "aaa111", "js/core.js": "bbb222", "sw.js": "ccc333"}


def _brand(name: str = "Pynfinity", description: str = "Lessons.") -> Brand:
    return Brand(name, "hero", "Tagline", "footer", description, "https://x.org/", "", "main", "en")


def _config(root: Path) -> SiteConfig:
    topic = Topic("basics", "Basics", "🧱", "")
    return SiteConfig(root=root, brand=_brand(), nav=(), levels=(), topics=(topic,))


def _built(tmp_path: Path) -> Path:
    out = tmp_path / "_site"
    for relative in ("index.html", "posts/a/index.html", "manifest.webmanifest"):
        (out / relative).parent.mkdir(parents=True, exist_ok=True)
        (out / relative).write_text("{}")
    return out


def _facts(out: Path) -> dict[str, object]:
    first = (out / "sw.js").read_text().splitlines()[0]
    assert first.startswith("var BUILD = ") and first.endswith(";")
    facts: dict[str, object] = json.loads(first.removeprefix("var BUILD = ").removesuffix(";"))
    return facts


def _manifest(brand: Brand) -> dict[str, object]:
    # The same Jinja2 settings as the build: autoescape on, strict undefined.
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(THEME / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    data: dict[str, object] = json.loads(
        env.get_template("manifest.webmanifest").render(brand=brand)
    )
    return data


def test_manifest_names_the_site_and_stays_relative() -> None:
    data = _manifest(_brand())
    assert (data["name"], data["short_name"]) == ("Pynfinity", "Pynfinity")
    assert data["start_url"] == data["scope"] == "./"
    assert data["display"] == "standalone"


def test_manifest_is_json_whatever_the_name() -> None:
    data = _manifest(_brand('Pebbles & <Co> "of" Python', description=""))
    assert data["name"] == 'Pebbles & <Co> "of" Python'
    assert data["short_name"] == "Pebbles"
    assert data["description"] == "Tagline"


def test_manifest_lists_the_icons_pwa_draws() -> None:
    icons = _manifest(_brand())["icons"]
    assert isinstance(icons, list)
    listed = {(i["src"], i["sizes"], i["purpose"]) for i in icons}
    drawn = {(i.path, f"{i.size}x{i.size}", i.purpose) for i in ICONS if i.purpose}
    assert listed == drawn
    assert {"any", "maskable"} <= {i.purpose for i in ICONS}


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


def test_write_pwa_draws_icons_and_writes_the_worker(tmp_path: Path) -> None:
    out = _built(tmp_path)
    assert write_pwa(out, _config(tmp_path), WORKER, ASSETS) == []
    for icon in ICONS:
        assert Image.open(out / icon.path).size == (icon.size, icon.size)
    assert 'addEventListener("fetch"' in (out / "sw.js").read_text()


def test_worker_precaches_assets_at_their_page_urls(tmp_path: Path) -> None:
    out = _built(tmp_path)
    write_pwa(out, _config(tmp_path), WORKER, ASSETS)
    precache = _facts(out)["precache"]
    assert isinstance(precache, list)
    assert "static/css/site.css?v=aaa111" in precache
    assert "manifest.webmanifest" in precache and "icons/icon-192.png" in precache
    # Pages are network-first; the worker template is not an asset.
    assert not [p for p in precache if p.endswith((".html", "sw.js?v=ccc333"))]


def test_cache_version_follows_assets_not_pages(tmp_path: Path) -> None:
    out = _built(tmp_path)
    config = _config(tmp_path)
    write_pwa(out, config, WORKER, ASSETS)
    first = _facts(out)["version"]
    (out / "posts/a/index.html").write_text("<html>edited</html>")
    write_pwa(out, config, WORKER, ASSETS)
    assert _facts(out)["version"] == first
    write_pwa(out, config, WORKER, {**ASSETS, "css/site.css": "ddd444"})
    assert _facts(out)["version"] != first


def test_writing_never_changes_a_hard_linked_previous_site(tmp_path: Path) -> None:
    out = _built(tmp_path)
    previous = tmp_path / "previous-sw.js"
    previous.write_text("old worker")
    (out / "sw.js").hardlink_to(previous)
    write_pwa(out, _config(tmp_path), WORKER, ASSETS)
    assert previous.read_text() == "old worker"


def test_offline_page_is_named_only_when_built(tmp_path: Path) -> None:
    out = _built(tmp_path)
    write_pwa(out, _config(tmp_path), WORKER, ASSETS)
    assert _facts(out)["offline"] is None
    (out / "offline.html").write_text("<html>offline</html>")
    write_pwa(out, _config(tmp_path), WORKER, ASSETS)
    assert _facts(out)["offline"] == "offline.html"


def test_kill_switch_file_retires_the_worker(tmp_path: Path) -> None:
    out = _built(tmp_path)
    write_pwa(out, _config(tmp_path), WORKER, ASSETS)
    assert _facts(out)["kill"] is False
    live = _facts(out)["version"]
    (tmp_path / KILL_SWITCH).touch()
    write_pwa(out, _config(tmp_path), WORKER, ASSETS)
    assert _facts(out)["kill"] is True
    assert _facts(out)["version"] != live
