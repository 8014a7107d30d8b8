"""The installable-web-app files of a built site: manifest, icons and service worker.

Called by the build after the pages (and the search index) are written, because the
service worker's cache version is a hash of the assets it will cache.

Kill switch: put an empty file named ``sw-kill`` beside ``site.yml`` and rebuild.
The site then ships a worker that deletes the site's caches, unregisters itself and
reloads open tabs from the network; browsers fetch the new worker on the next visit.
Delete the file and rebuild to make the site installable again.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from .graphemes import graphemes
from .model import Brand, SiteConfig

MANIFEST = "manifest.webmanifest"
WORKER = "sw.js"
OFFLINE_PAGE = "offline.html"
KILL_SWITCH = "sw-kill"
ICON_DIR = "icons"
# Files the worker keeps for offline use: the theme's assets, never pages (those are
# network-first) nor the search index (large, and useless without the network anyway).
_PRECACHE_SUFFIXES = frozenset({".css", ".js", ".png", ".svg", ".ico", ".woff2", ".webmanifest"})
_NOT_PRECACHED = ("pagefind/", WORKER)


@dataclass(frozen=True)
class Palette:
    """Icon and browser-chrome colours; ``theme`` tints the phone's status bar."""

    theme: str = "#1f6f5c"
    background: str = "#fbfaf7"
    glyph: str = "#ffffff"


@dataclass(frozen=True)
class Icon:
    path: str  # relative to the site root
    size: int
    full_bleed: bool  # fills the square: the platform cuts its own shape
    purpose: str | None  # the manifest's "purpose"; None: linked from pages instead


ICONS = (
    Icon(f"{ICON_DIR}/icon-192.png", 192, False, "any"),
    Icon(f"{ICON_DIR}/icon-512.png", 512, False, "any"),
    Icon(f"{ICON_DIR}/maskable-512.png", 512, True, "maskable"),
    # iOS ignores the manifest's icons and rounds this one itself.
    Icon(f"{ICON_DIR}/apple-touch-icon.png", 180, True, None),
)


def manifest(brand: Brand, palette: Palette = Palette()) -> dict[str, object]:
    """The web app manifest. URLs are relative to the manifest, so sub-paths work."""
    return {
        "name": brand.name,
        "short_name": short_name(brand.name),
        "description": brand.description or brand.tagline,
        "lang": brand.language,
        "id": "./",
        "start_url": "./",
        "scope": "./",
        "display": "standalone",
        "background_color": palette.background,
        "theme_color": palette.theme,
        "categories": ["education"],
        "icons": [
            {
                "src": icon.path,
                "sizes": f"{icon.size}x{icon.size}",
                "type": "image/png",
                "purpose": icon.purpose,
            }
            for icon in ICONS
            if icon.purpose
        ],
    }


def short_name(name: str) -> str:
    """A home-screen label: launchers cut names past about 12 characters."""
    if len(name) <= 12:
        return name
    first = name.split()[0]
    return first if len(first) <= 12 else name[:12]


def icon_png(name: str, size: int, full_bleed: bool, palette: Palette = Palette()) -> bytes:
    """A square PNG with the site name's first character on the theme colour.

    A full-bleed (maskable) icon fills the square and keeps the letter inside the
    central safe circle; a plain one is a rounded tile.
    """
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if full_bleed:
        draw.rectangle((0, 0, size, size), fill=palette.theme)
    else:
        draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 5, fill=palette.theme)
    letter = (graphemes(name.strip())[:1] or ["P"])[0]
    # Safe zone for maskable icons is a circle of 80% of the size; stay well inside.
    font = ImageFont.load_default(size=int(size * (0.5 if full_bleed else 0.62)))
    centre = size / 2
    draw.text(
        (centre, centre),
        letter,
        font=font,
        fill=palette.glyph,
        anchor="mm",
        stroke_width=max(1, size // 64),
        stroke_fill=palette.glyph,
    )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def precache_paths(out_dir: Path) -> list[str]:
    """Root-relative paths of the assets the worker caches at install, sorted."""
    found = []
    for path in out_dir.rglob("*"):
        relative = path.relative_to(out_dir).as_posix()
        if (
            path.suffix in _PRECACHE_SUFFIXES
            and path.is_file()
            and not relative.startswith(_NOT_PRECACHED)
        ):
            found.append(relative)
    return sorted(found)


def assets_version(out_dir: Path, paths: list[str], kill: bool) -> str:
    """A short hash naming this build's caches; it changes when any cached byte does."""
    digest = hashlib.sha256(b"kill" if kill else b"live")
    for relative in paths:
        digest.update(relative.encode() + b"\0")
        digest.update(hashlib.sha256((out_dir / relative).read_bytes()).digest())
    return digest.hexdigest()[:16]


def service_worker(
    template: str, version: str, precache: list[str], offline: str | None, kill: bool
) -> str:
    """The worker script: the template after a first line holding this build's facts."""
    facts = {"version": version, "precache": precache, "offline": offline, "kill": kill}
    build = json.dumps(facts, separators=(",", ":"))
    return f"var BUILD = {build};\n{template}"


def write_pwa(out_dir: Path, config: SiteConfig, worker_template: Path) -> None:
    """Write the manifest, icons and ``sw.js`` into a built site at ``out_dir``."""
    (out_dir / ICON_DIR).mkdir(parents=True, exist_ok=True)
    for icon in ICONS:
        (out_dir / icon.path).write_bytes(icon_png(config.brand.name, icon.size, icon.full_bleed))
    text = json.dumps(manifest(config.brand), ensure_ascii=False, indent=2) + "\n"
    (out_dir / MANIFEST).write_text(text, encoding="utf-8")
    kill = (config.root / KILL_SWITCH).exists()
    paths = precache_paths(out_dir)
    template = worker_template.read_text(encoding="utf-8")
    offline = OFFLINE_PAGE if (out_dir / OFFLINE_PAGE).is_file() else None
    version = assets_version(out_dir, paths + ([offline] if offline else []), kill)
    worker = service_worker(template, version, paths, offline, kill)
    (out_dir / WORKER).write_text(worker, encoding="utf-8")
