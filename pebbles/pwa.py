"""The installable-web-app files of a built site: icons and the service worker.

Called by the build after the pages (and the search index) are written, because the
service worker's cache version is a hash of what it will cache. The manifest that
lists the icons is a theme template (``renderer/templates/manifest.webmanifest``).

Kill switch: put an empty file named ``sw-kill`` beside ``site.yml`` and rebuild.
The site then ships a worker that answers no requests, deletes the site's caches and
unregisters itself; browsers fetch it on their next visit (they re-check ``sw.js`` on
every page load). While the switch is on, pages still register it and it retires at
once, so nothing is ever cached. Delete the file and rebuild to turn it back off.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .graphemes import graphemes
from .model import Diagnostic, SiteConfig

MANIFEST = "manifest.webmanifest"
WORKER = "sw.js"
OFFLINE_PAGE = "offline.html"
KILL_SWITCH = "sw-kill"
ICON_DIR = "icons"


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
    # iOS ignores the manifest's icons and rounds this one itself. The template
    # renderer/templates/manifest.webmanifest lists the ones with a purpose.
    Icon(f"{ICON_DIR}/apple-touch-icon.png", 180, True, None),
)


def icon_png(name: str, size: int, full_bleed: bool, palette: Palette = Palette()) -> bytes:
    """A square PNG with the site name's first character on the theme colour.

    A full-bleed (maskable) icon fills the square and keeps the letter inside the
    central safe circle; a plain one is a rounded tile.
    """
    # Imported here: Pillow costs ~50 ms to import, which a no-op rebuild never needs.
    from PIL import Image, ImageDraw, ImageFont

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


def precache_list(assets: Mapping[str, str]) -> list[str]:
    """What the worker caches at install, relative to the site root.

    Theme assets are listed under the exact ``?v=<hash>`` URLs the pages use, so a
    cached copy can never stand in for a newer file; the manifest and icons have
    plain URLs and are versioned by the cache name instead.
    """
    static = [
        f"static/{name}?v={digest}" for name, digest in sorted(assets.items()) if name != WORKER
    ]
    return [*static, MANIFEST, *(icon.path for icon in ICONS)]


def cache_version(out_dir: Path, precache: list[str], kill: bool) -> str:
    """A short hash naming this build's caches: it changes when anything precached does."""
    digest = hashlib.sha256(b"kill" if kill else b"live")
    for entry in precache:
        digest.update(entry.encode() + b"\0")
        if "?" not in entry:  # fingerprinted URLs already carry their content hash
            digest.update(hashlib.sha256((out_dir / entry).read_bytes()).digest())
    return digest.hexdigest()[:16]


def service_worker(
    template: str, version: str, precache: list[str], offline: str | None, kill: bool
) -> str:
    """The worker script: the template after a first line holding this build's facts."""
    facts = {"version": version, "precache": precache, "offline": offline, "kill": kill}
    build = json.dumps(facts, separators=(",", ":"))
    return f"var BUILD = {build};\n{template}"


def write_pwa(
    out_dir: Path, config: SiteConfig, worker_template: Path, assets: Mapping[str, str]
) -> list[Diagnostic]:
    """Draw the icons and write ``sw.js`` into the built site at ``out_dir``.

    ``assets`` maps each theme file under ``static/`` to the hash in its URL.
    """
    (out_dir / ICON_DIR).mkdir(parents=True, exist_ok=True)
    for icon in ICONS:
        _replace(out_dir / icon.path, icon_png(config.brand.name, icon.size, icon.full_bleed))
    kill = (config.root / KILL_SWITCH).exists()
    precache = precache_list(assets)
    if not (out_dir / MANIFEST).is_file():
        precache.remove(MANIFEST)
    offline = OFFLINE_PAGE if (out_dir / OFFLINE_PAGE).is_file() else None
    template = worker_template.read_text(encoding="utf-8")
    worker = service_worker(
        template, cache_version(out_dir, precache, kill), precache, offline, kill
    )
    _replace(out_dir / WORKER, worker.encode("utf-8"))
    return []


def _replace(path: Path, data: bytes) -> None:
    # The build hard-links unchanged files from the previous site; writing through
    # such a link would change the live site before the swap. A new file cannot.
    path.unlink(missing_ok=True)
    path.write_bytes(data)
