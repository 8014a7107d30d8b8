"""One post's Markdown → HTML: fences, headings, links and verification marks."""

from __future__ import annotations

import textwrap

from pebbles.model import BlockResult, Post, PostResult, Status
from pebbles.render import RenderInput, render_post, verdict_of
from tests.rendering import post_from


def _post(body: str) -> Post:
    return post_from(textwrap.dedent(body))


def _html(post: Post, result: PostResult | None = None, **targets: str | None) -> str:
    return render_post(post, RenderInput(dict(targets), result)).html


def _result(post: Post, *statuses: Status, python: str = "3.11") -> PostResult:
    blocks = tuple(
        BlockResult(
            index=block.index,
            line=block.line,
            language=block.language,
            status=status,
            expected=block.expected.text if block.expected else None,
            reason="no network here" if status is Status.SKIPPED else None,
        )
        for block, status in zip(post.runnable_blocks, statuses, strict=True)
    )
    return PostResult(post.path, post.slug, Status.PASSED, (), blocks, python=python)


def test_fence_options_never_reach_the_html() -> None:
    post = _post(
        """
        ```python timeout=5 unordered isolated requires=json skip="a reason"
        print("hi")
        ```
        """
    )
    html = _html(post)
    for leaked in ("timeout", "unordered", "isolated", "requires", "skip", "a reason"):
        assert leaked not in html
    assert 'data-lang="python"' in html


def test_code_is_highlighted_and_escaped() -> None:
    html = _html(_post('```python\nprint("<b>")\n```\n'))
    assert '<span class="nb">print</span>' in html
    assert "&lt;b&gt;" in html and "<b>" not in html


def test_an_unknown_language_is_escaped_plain_text() -> None:
    html = _html(_post("```no-such-lexer\n<i>x</i>\n```\n"))
    assert "&lt;i&gt;x&lt;/i&gt;" in html
    assert 'data-lang="no-such-lexer"' in html


def test_a_hostile_language_word_is_dropped() -> None:
    html = _html(_post('```"><script>x()</script>\ncode\n```\n'))
    assert "<script>" not in html
    assert 'data-lang=""' in html


def test_heading_ids_carry_the_prefix_and_stay_unique() -> None:
    post = _post("## Setup\n\ntext\n\n## Setup\n\n### Search\n")
    rendered = render_post(post, RenderInput({}, None))
    assert '<h2 id="h-setup">' in rendered.html
    assert '<h2 id="h-setup-2">' in rendered.html
    assert '<h3 id="h-search">' in rendered.html
    assert [entry.anchor for entry in rendered.toc] == ["h-setup", "h-setup-2", "h-search"]


def test_in_page_anchor_links_follow_the_prefix() -> None:
    html = _html(_post("[see below](#setup)\n\n## Setup\n"))
    assert '<a href="#h-setup">see below</a>' in html


def test_anchors_to_headings_that_look_like_footnotes_or_prefixed_get_the_prefix() -> None:
    body = "[a](#fnord-tricks) [b](#h-index) [c](two.md#fn-tips)\n\n## Fnord tricks\n\n## H-index\n"
    html = _html(_post(body), **{"content/basics/two.md": "../../posts/two/"})
    assert '<a href="#h-fnord-tricks">a</a>' in html
    assert '<a href="#h-h-index">b</a>' in html
    assert '<a href="../../posts/two/#h-fn-tips">c</a>' in html


def test_footnote_and_rendered_id_anchors_are_kept() -> None:
    html = _html(_post("[note](#fn1) [setup](#h-setup)\n\n## Setup\n"))
    assert '<a href="#fn1">note</a>' in html
    assert '<a href="#h-setup">setup</a>' in html


def test_md_links_become_page_urls() -> None:
    post = _post("[next](two.md) and [part](../basics/two.md#a-loop)\n")
    html = _html(post, **{"content/basics/two.md": "../../posts/two/"})
    assert '<a href="../../posts/two/">next</a>' in html
    assert '<a href="../../posts/two/#h-a-loop">part</a>' in html
    assert ".md" not in html


def test_a_link_to_an_unpublished_post_loses_its_href() -> None:
    html = _html(_post("[draft](draft.md)\n"), **{"content/basics/draft.md": None})
    assert '<a class="unpublished">draft</a>' in html


def test_hidden_blocks_and_their_output_are_not_shown() -> None:
    post = _post(
        """
        ```python hidden
        print("setup done")
        ```

        ```output
        setup done
        ```

        ```python
        print("visible")
        ```
        """
    )
    html = _html(post)
    assert "setup done" not in html
    assert "visible" in html


def test_stated_output_follows_its_block_with_a_verified_mark() -> None:
    post = _post("```python\nprint(3)\n```\n\n```output\n3\n```\n")
    html = _html(post, _result(post, Status.PASSED))
    code, output, mark = (
        html.index("<pre class"),
        html.index("Output</figcaption>"),
        html.index("verdict-passed"),
    )
    assert code < output < mark
    assert "✓</span> output verified on Python 3.11" in html


def test_a_block_without_stated_output_says_it_ran() -> None:
    post = _post("```python\nx = 1\n```\n")
    assert "ran without errors on Python 3.11" in _html(post, _result(post, Status.PASSED))


def test_skipped_and_failed_blocks_are_marked_honestly() -> None:
    post = _post("```python\nx = 1\n```\n\n```python\ny = 2\n```\n")
    html = _html(post, _result(post, Status.SKIPPED, Status.FAILED))
    assert "not run: no network here" in html
    assert "verdict-failed" in html
    assert "verified" not in html


def test_no_marks_without_check_results() -> None:
    post = _post("```python\nprint(3)\n```\n\n```output\n3\n```\n")
    assert "verdict" not in _html(post)
    assert "verdict" not in _html(post, _result(post, Status.NOT_RUN))
    assert verdict_of(post, None) is None


def test_the_page_verdict_counts_what_the_reader_sees() -> None:
    post = _post("```python hidden\na = 1\n```\n\n```python\nb = 2\n```\n\n```python\nc = 3\n```\n")
    verdict = verdict_of(post, _result(post, Status.PASSED, Status.PASSED, Status.SKIPPED))
    assert verdict is not None
    assert (verdict.total, verdict.passed, verdict.skipped, verdict.all_verified) == (
        2,
        1,
        1,
        False,
    )
