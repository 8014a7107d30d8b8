"""`pebbles build` end to end on a small fixture site: pages, atomicity, incremental builds."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urljoin

import pytest

from tests.conftest import Result

FIXTURE = Path(__file__).parent / "fixtures" / "render-site"
TOPICS = {"alpha", "beta", "gamma"}


@pytest.fixture
def fixture_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / "site"
    shutil.copytree(FIXTURE, root)
    monkeypatch.chdir(root)
    yield root


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _pages(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.html"))


def _hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', html)


def test_build_writes_every_page_type(fixture_site: Path, cli: Callable[..., Result]) -> None:
    done = cli("build", "--no-check")
    assert done.code == 0, done.err
    site = fixture_site / "_site"
    for page in (
        "index.html",
        "topics/alpha/index.html",
        "topics/gamma/index.html",
        "posts/first-steps/index.html",
        "guides/index.html",
        "guides/how-to-write/index.html",
        "stepping-stones/index.html",
        "contributions/index.html",
        "write/index.html",
        "404.html",
        "feed.xml",
        "sitemap.xml",
        "robots.txt",
        "manifest.webmanifest",
    ):
        assert (site / page).is_file(), page
    assert re.search(r"built .*: \d+ files, \d+ pages rendered, 4 posts re-rendered", done.out)


def test_drafts_are_not_published(fixture_site: Path, cli: Callable[..., Result]) -> None:
    assert cli("build", "--no-check").code == 0
    site = fixture_site / "_site"
    assert not (site / "posts" / "not-yet").exists()
    everything = "".join(
        p.read_text(encoding="utf-8")
        for p in (*_pages(site), site / "feed.xml", site / "sitemap.xml")
    )
    assert "not-yet" not in everything
    assert "A draft nobody should see" not in everything


def test_every_topic_is_reachable_from_the_sidebar_on_every_page(
    fixture_site: Path, cli: Callable[..., Result]
) -> None:
    assert cli("build", "--no-check").code == 0
    site = fixture_site / "_site"
    base = "https://example.org/pebbles/"
    for page in _pages(site):
        html = page.read_text(encoding="utf-8")
        panel = html[html.index('id="sidebar-topics"') : html.index('id="sidebar-stones"')]
        here = urljoin(base, page.relative_to(site).as_posix())
        reached = {urljoin(here, href) for href in _hrefs(panel)}
        for topic in TOPICS:
            assert f"{base}topics/{topic}/" in reached, f"{page}: no link to {topic}"
        assert panel.count('class="topic-link') == len(TOPICS), f"{page}: each topic once"


def test_internal_links_are_relative(fixture_site: Path, cli: Callable[..., Result]) -> None:
    assert cli("build", "--no-check").code == 0
    site = fixture_site / "_site"
    for page in _pages(site):
        if page.name in ("404.html", "offline.html"):
            continue  # served at any URL, so they link from the site's root path
        for href in _hrefs(page.read_text(encoding="utf-8")):
            assert not href.startswith("/"), f"{page}: {href}"


def test_every_relative_link_points_at_a_built_file(
    fixture_site: Path, cli: Callable[..., Result]
) -> None:
    assert cli("build", "--no-check").code == 0
    site = fixture_site / "_site"
    for page in _pages(site):
        if page.name in ("404.html", "offline.html"):
            continue
        for href in _hrefs(page.read_text(encoding="utf-8")):
            if re.match(r"^[a-z]+:|^#", href):
                continue
            target = (page.parent / href.split("#")[0].split("?")[0]).resolve()
            if target.is_dir():
                target = target / "index.html"
            assert (
                target.is_file()
                or target.name in ("manifest.webmanifest",)
                or "icons" in target.parts
            ), f"{page.relative_to(site)} links to missing {href}"


def test_404_links_from_the_configured_base_path(
    fixture_site: Path, cli: Callable[..., Result]
) -> None:
    assert cli("build", "--no-check").code == 0
    html = (fixture_site / "_site" / "404.html").read_text(encoding="utf-8")
    assert 'href="/pebbles/topics/alpha/"' in html


def test_file_urls_link_to_index_files(fixture_site: Path, cli: Callable[..., Result]) -> None:
    assert cli("build", "--no-check", "--file-urls").code == 0
    html = (fixture_site / "_site" / "posts" / "first-steps" / "index.html").read_text(
        encoding="utf-8"
    )
    assert 'href="../../topics/alpha/index.html"' in html
    assert 'href="../../posts/second-steps/index.html#h-a-loop"' in html


def test_base_url_sets_canonical_links(fixture_site: Path, cli: Callable[..., Result]) -> None:
    assert cli("build", "--no-check", "--base-url", "https://mirror.example.net/sub").code == 0
    site = fixture_site / "_site"
    html = (site / "posts" / "first-steps" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://mirror.example.net/sub/posts/first-steps/">' in html
    assert "https://mirror.example.net/sub/posts/first-steps/" in (site / "sitemap.xml").read_text(
        encoding="utf-8"
    )


def test_author_text_is_never_a_template(fixture_site: Path, cli: Callable[..., Result]) -> None:
    assert cli("build", "--no-check").code == 0
    html = (fixture_site / "_site" / "posts" / "first-steps" / "index.html").read_text(
        encoding="utf-8"
    )
    assert "<p>A literal template tag stays text: {{ 7 * 7 }} and {% raw %}.</p>" in html


def test_front_matter_html_is_escaped_everywhere(
    fixture_site: Path, cli: Callable[..., Result]
) -> None:
    assert cli("build", "--no-check").code == 0
    site = fixture_site / "_site"
    for page in (*_pages(site), site / "feed.xml"):
        text = page.read_text(encoding="utf-8")
        assert "<script>window.__xss" not in text, page
        assert "<img src=x onerror" not in text, page
        assert "<svg onload" not in text, page
        assert "<b>text</b>" not in text, page
    post = (site / "posts" / "tricky-text" / "index.html").read_text(encoding="utf-8")
    assert "Tricky &lt;b&gt;text&lt;/b&gt; &amp; &lt;script&gt;" in post


def test_verification_marks_need_checked_code(
    fixture_site: Path, cli: Callable[..., Result]
) -> None:
    assert cli("build", "--no-check").code == 0
    page = fixture_site / "_site" / "posts" / "first-steps" / "index.html"
    unchecked = page.read_text(encoding="utf-8")
    assert "verdict" not in unchecked and "examples verified" not in unchecked

    assert cli("build", "--no-cache").code == 0
    checked = page.read_text(encoding="utf-8")
    assert checked.count("✓</span> output verified on Python 3.") == 2
    assert "⤼</span> not run: needs a network" in checked
    assert "2 of 3 examples verified on Python 3." in checked


def test_a_failed_check_writes_nothing(fixture_site: Path, cli: Callable[..., Result]) -> None:
    (fixture_site / "content" / "alpha" / "broken.md").write_text(
        "---\ntitle: [unclosed\n---\n", encoding="utf-8"
    )
    done = cli("build", "--no-check")
    assert done.code == 1
    assert not (fixture_site / "_site").exists()
    assert "the site was not written" in done.err


def test_a_failed_build_leaves_the_previous_site_byte_identical(
    fixture_site: Path, cli: Callable[..., Result]
) -> None:
    assert cli("build", "--no-check").code == 0
    before = _snapshot(fixture_site / "_site")
    (fixture_site / "content" / "beta" / "tricky-text.md").write_text(
        "---\ntitle: No emoji or topic\n---\n", encoding="utf-8"
    )
    assert cli("build", "--no-check").code == 1
    assert _snapshot(fixture_site / "_site") == before


def test_a_theme_error_leaves_the_previous_site_and_no_temporary_folder(
    fixture_site: Path, cli: Callable[..., Result]
) -> None:
    assert cli("build", "--no-check").code == 0
    before = _snapshot(fixture_site / "_site")
    theme = fixture_site / "renderer"
    shutil.copytree(Path(__file__).parents[1] / "renderer", theme)
    post_template = theme / "templates" / "post.html"
    post_template.write_text(
        post_template.read_text(encoding="utf-8").replace("{{ body }}", "{{ no_such_value }}"),
        encoding="utf-8",
    )
    done = cli("build", "--no-check")
    assert done.code == 1
    assert "theme-error" in done.err and "no_such_value" in done.err
    assert _snapshot(fixture_site / "_site") == before
    assert [p.name for p in fixture_site.iterdir() if p.name.startswith(".pebbles-tmp")] == []


def test_stale_pages_vanish(fixture_site: Path, cli: Callable[..., Result]) -> None:
    assert cli("build", "--no-check").code == 0
    (fixture_site / "content" / "beta" / "tricky-text.md").unlink()
    assert cli("build", "--no-check").code == 0
    assert not (fixture_site / "_site" / "posts" / "tricky-text").exists()


def test_an_unchanged_site_renders_nothing(fixture_site: Path, cli: Callable[..., Result]) -> None:
    assert cli("build", "--no-check").code == 0
    before = _snapshot(fixture_site / "_site")
    done = cli("build", "--no-check")
    assert done.code == 0
    assert "is up to date" in done.out and "0 posts re-rendered" in done.out
    assert _snapshot(fixture_site / "_site") == before


def test_an_edited_post_is_the_only_post_rendered_again(
    fixture_site: Path, cli: Callable[..., Result]
) -> None:
    assert cli("build", "--no-check").code == 0
    post = fixture_site / "content" / "beta" / "tricky-text.md"
    post.write_text(post.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    done = cli("build", "--no-check")
    assert done.code == 0
    assert "1 post re-rendered" in done.out
    assert "One more line." in (
        fixture_site / "_site" / "posts" / "tricky-text" / "index.html"
    ).read_text(encoding="utf-8")


def test_a_new_post_updates_the_pages_that_list_posts(
    fixture_site: Path, cli: Callable[..., Result]
) -> None:
    assert cli("build", "--no-check").code == 0
    (fixture_site / "content" / "gamma").mkdir()
    (fixture_site / "content" / "gamma" / "first-gamma.md").write_text(
        "---\ntitle: The first gamma pebble\nemoji: 🥇\ntopic: gamma\n---\n\nHello.\n",
        encoding="utf-8",
    )
    assert cli("build", "--no-check").code == 0
    site = fixture_site / "_site"
    for page in (
        "index.html",
        "topics/gamma/index.html",
        "contributions/index.html",
        "stepping-stones/index.html",
        "sitemap.xml",
    ):
        assert "first-gamma" in (site / page).read_text(encoding="utf-8"), page


def test_refuses_to_replace_a_folder_it_did_not_build(
    fixture_site: Path, cli: Callable[..., Result]
) -> None:
    precious = fixture_site / "notes"
    precious.mkdir()
    (precious / "diary.txt").write_text("mine", encoding="utf-8")
    done = cli("build", "--no-check", "--out", str(precious))
    assert done.code == 2
    assert "not a built site" in done.err
    assert (precious / "diary.txt").read_text(encoding="utf-8") == "mine"
    assert cli("build", "--no-check", "--out", str(fixture_site)).code == 2


def test_refuses_to_build_into_the_theme_even_though_it_holds_an_index_html(
    fixture_site: Path, cli: Callable[..., Result]
) -> None:
    templates = fixture_site / "renderer" / "templates"
    shutil.copytree(Path(__file__).parents[1] / "renderer" / "templates", templates)
    before = _snapshot(templates)
    done = cli("build", "--no-check", "--out", str(templates))
    assert done.code == 2
    assert "holds the site's sources" in done.err
    assert _snapshot(templates) == before


def test_turning_search_on_is_not_mistaken_for_a_no_op(
    fixture_site: Path, cli: Callable[..., Result]
) -> None:
    assert cli("build", "--no-check", "--no-search").code == 0
    assert not (fixture_site / "_site" / "pagefind").exists()
    done = cli("build", "--no-check")
    assert done.code == 0
    assert "0 posts re-rendered" in done.out and "up to date" not in done.out
    assert (fixture_site / "_site" / "pagefind" / "pagefind.js").is_file()


def test_the_sidebar_shows_a_window_of_a_long_topic(
    fixture_site: Path, cli: Callable[..., Result]
) -> None:
    folder = fixture_site / "content" / "gamma"
    folder.mkdir()
    for number in range(30):
        text = f"---\ntitle: Gamma {number:02d}\nemoji: 🥌\ntopic: gamma\norder: {number}\n---\n\nText.\n"
        (folder / f"gamma-{number:02d}.md").write_text(text, encoding="utf-8")
    assert cli("build", "--no-check", "--no-search").code == 0
    html = (fixture_site / "_site" / "posts" / "gamma-15" / "index.html").read_text(
        encoding="utf-8"
    )
    listed = re.findall(r'class="post-link[^"]*" href="[^"]*"[^>]*>Gamma (\d\d)<', html)
    assert listed == [f"{n:02d}" for n in range(9, 21)]
    assert "… 9 before</a>" in html and "… 9 more</a>" in html
    assert 'aria-current="page">Gamma 15<' in html


def test_parallel_rendering_writes_the_same_bytes_as_serial(
    fixture_site: Path, cli: Callable[..., Result]
) -> None:
    folder = fixture_site / "content" / "gamma"
    folder.mkdir()
    for number in range(70):  # enough pages for the worker processes to start
        text = f"---\ntitle: Gamma {number}\nemoji: 🥌\ntopic: gamma\n---\n\n## Part\n\n```python\nprint({number})\n```\n"
        (folder / f"gamma-{number}.md").write_text(text, encoding="utf-8")
    serial, parallel = fixture_site / "serial", fixture_site / "parallel"
    assert (
        cli(
            "build", "--no-check", "--no-search", "--no-cache", "-j", "1", "--out", str(serial)
        ).code
        == 0
    )
    done = cli(
        "build", "--no-check", "--no-search", "--no-cache", "-j", "2", "--out", str(parallel)
    )
    assert done.code == 0
    assert "74 posts re-rendered" in done.out
    assert _snapshot(parallel) == _snapshot(serial)


def test_edit_links_and_the_write_form_know_the_sites_folder_in_its_repository(
    fixture_site: Path, cli: Callable[..., Result]
) -> None:
    config = fixture_site / "site.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("site:\n", "site:\n  repo_dir: docs/site/\n", 1), "utf-8")
    assert cli("build", "--no-check").code == 0
    post = (fixture_site / "_site/posts/first-steps/index.html").read_text(encoding="utf-8")
    (edit,) = re.findall(r'class="edit-link"><a href="([^"]*)"', post)
    assert "/edit/" in edit and edit.endswith("/docs/site/content/alpha/first-steps.md")
    write = (fixture_site / "_site/write/index.html").read_text(encoding="utf-8")
    assert 'data-repo-dir="docs/site"' in write
