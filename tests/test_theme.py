"""The theme's Jinja2 environment: memoised snippets stay right and stay small."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import jinja2

from pebbles.theme import Theme, environment, render


class _Site:
    """Stands in for SiteData: fragments read only what they are given."""

    def __init__(self, name: str) -> None:
        self.name = name


def _env(tmp_path: Path) -> Theme:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "_part.html").write_text("{{ site.name }}", encoding="utf-8")
    (templates / "page.html").write_text('{{ fragment("_part.html") }}', encoding="utf-8")
    return Theme(tmp_path, {}, "fingerprint")


def _page(env: jinja2.Environment, site: _Site) -> str:
    values = {"site": site, "root": "./", "file_urls": False, "current_topic": ""}
    return render(env, "page.html", values)


def test_a_fragment_is_rendered_again_for_a_new_site(tmp_path: Path) -> None:
    env = environment(_env(tmp_path))
    assert _page(env, _Site("first")) == "first"
    assert _page(env, _Site("second")) == "second"


def test_fragments_do_not_keep_old_sites_alive(tmp_path: Path) -> None:
    # The desk renders every preview with one long-lived environment and a new
    # site object: remembering each one would grow the server without bound.
    env = environment(_env(tmp_path))
    old = _Site("old")
    gone = weakref.ref(old)
    _page(env, old)
    del old
    _page(env, _Site("new"))
    gc.collect()
    assert gone() is None
