"""The rendering half of ``pebbles build``: assemble the pages, write them, index them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from .model import CheckReport, Diagnostic, Site
from .pages import BuildOptions, plan
from .site import assemble
from .theme import WORKER_TEMPLATE, Theme
from .write_site import AfterStep, WriteResult, outputs, write_site


@dataclass(frozen=True)
class BuildRequest:
    out: Path
    cache_dir: Path | None  # None: render every page and remember nothing
    workers: int
    base_url: str | None = None  # overrides site.yml's site.url
    file_urls: bool = False
    search: bool = True


def build_site(
    site: Site, report: CheckReport | None, theme: Theme, request: BuildRequest
) -> WriteResult:
    """Render ``site`` into ``request.out``; ``report`` (None: not checked) gives the marks."""
    data = assemble(site, report)
    options = BuildOptions(
        base_url=request.base_url or site.config.brand.url, file_urls=request.file_urls
    )
    files = outputs(plan(data, theme, options), theme)
    return write_site(
        files,
        data,
        theme,
        options,
        out=request.out,
        manifest=_manifest(request),
        workers=request.workers,
        after=_after_steps(site, theme, request.search),
        after_key=_after_key(site, request.search),
    )


def _manifest(request: BuildRequest) -> Path | None:
    if request.cache_dir is None:
        return None
    # One manifest per output folder, so `--out` elsewhere does not spoil the default.
    name = hashlib.sha256(str(request.out.resolve()).encode()).hexdigest()[:16]
    return request.cache_dir / "build" / f"site-{name}.json"


def _after_steps(site: Site, theme: Theme, search: bool) -> list[AfterStep]:
    """Work over the finished pages: the search index, then the web app files (the
    service worker's cache version hashes everything written before it)."""

    # The imports wait until a step runs: a no-op rebuild never gets that far.
    def search_index(out: Path) -> list[Diagnostic]:
        from .search import INDEX_DIR, build_search_index
        from .search_input import index_regions

        scratch = out.with_name(f"{out.name}-search")
        return index_regions(out, scratch, build_search_index, INDEX_DIR)

    def web_app(out: Path) -> list[Diagnostic]:
        from .pwa import write_pwa

        return write_pwa(out, site.config, theme.static / WORKER_TEMPLATE, theme.assets)

    return [search_index, web_app] if search else [web_app]


def _after_key(site: Site, search: bool) -> str:
    """What the after steps read besides the pages: whether to index, and the
    service worker's kill switch."""
    from .pwa import KILL_SWITCH

    return f"search={search} kill={(site.config.root / KILL_SWITCH).exists()}"


def summary_line(result: WriteResult) -> str:
    """The build's one-line report."""
    posts = f"{result.posts_rendered} post{'s' * (result.posts_rendered != 1)} re-rendered"
    if result.unchanged:
        return f"✔ {result.out} is up to date: {result.files} files, 0 pages rendered, {posts} · {result.duration_s:.2f}s"
    return (
        f"✔ built {result.out}: {result.files} files, {result.rendered} pages rendered, {posts}, "
        f"{result.files - result.rendered} reused or copied · {result.duration_s:.2f}s"
    )
