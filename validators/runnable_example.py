"""Site rule: a pebble proves itself, so it needs at least one example that runs.

Topics marked ``runnable: false`` in site.yml (Git, Dockerfiles, ...) are exempt;
guides are exempt. Every runnable example should also say what it prints, or the
reader cannot compare; a block that prints but states nothing gets a warning.
"""

from __future__ import annotations

from collections.abc import Iterator

from pebbles.model import Diagnostic, Post, Severity, SiteConfig


def validate(post: Post, config: SiteConfig) -> Iterator[Diagnostic]:
    if post.is_guide or post.meta.topic is None:
        return
    topic = config.topic(post.meta.topic)
    runnable = [b for b in post.runnable_blocks if b.options.skip is None]
    if topic is not None and topic.runnable and not runnable:
        yield Diagnostic(
            post.path,
            post.meta.line_of("topic"),
            1,
            Severity.ERROR,
            "no-runnable-example",
            f"a '{topic.title}' pebble needs at least one ```python example that runs",
        )
    for block in runnable:
        silent = block.expected is not None or block.options.hidden or block.options.compile
        # A "#" may be a trailing-comment expectation, which the engine judges itself.
        if (
            not silent
            and block.kind.value == "script"
            and "print(" in block.source
            and "#" not in block.source
        ):
            yield Diagnostic(
                post.path,
                block.fence_line,
                1,
                Severity.WARNING,
                "no-stated-output",
                "this example prints but states no output; add an ```output block after it",
            )
