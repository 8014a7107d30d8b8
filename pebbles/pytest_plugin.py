"""pytest integration: ``pytest --pebbles content/`` checks every post as one test.

Opt-in: nothing is collected unless ``--pebbles`` is given or the ini file says
``pebbles = true``. Each post becomes one :class:`PostItem` that goes through the
same validation and runner as ``pebbles check``, so both always agree; pytest-xdist
can hand the items to its workers like any other test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .check import Loaded, check, load_site
from .config import find_site_root, load_config
from .content import display_path
from .model import PostResult, RunRequest, Severity, Status


@dataclass
class _State:
    """What one pytest process has learnt: sites, where they are, verdicts so far."""

    roots: dict[Path, Path | None] = field(default_factory=dict)  # folder -> site root
    sites: dict[Path, Loaded] = field(default_factory=dict)
    results: dict[str, PostResult] = field(default_factory=dict)  # display path -> verdict


_STATE = pytest.StashKey[_State]()


class PostFailed(Exception):
    """A post has at least one error; carries its result for the report."""

    def __init__(self, result: PostResult) -> None:
        super().__init__(result.path)
        self.result = result


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--pebbles`` and the ``pebbles`` / ``pebbles_paths`` ini options."""
    group = parser.getgroup("pebbles", "checking Markdown posts with pebbles")
    group.addoption(
        "--pebbles",
        action="store_true",
        default=False,
        help="collect .md posts under the given paths (or pebbles_paths) as tests",
    )
    parser.addini("pebbles", type="bool", default=False, help="always collect posts as tests")
    parser.addini(
        "pebbles_paths",
        type="paths",
        default=[],
        help="folders of posts to check when pytest is given no paths",
    )


def _enabled(config: pytest.Config) -> bool:
    return bool(config.getoption("pebbles", False) or config.getini("pebbles"))


def pytest_configure(config: pytest.Config) -> None:
    """With no paths on the command line, also collect ``pebbles_paths``."""
    if not _enabled(config):
        return
    config.stash[_STATE] = _State()
    extra = [str(p) for p in config.getini("pebbles_paths")]
    if extra and config.args_source is not pytest.Config.ArgsSource.ARGS:
        config.args = list(dict.fromkeys([*config.args, *extra]))


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> PostFile | None:
    """A ``.md`` file inside a site's ``content/`` folder is a post to check."""
    if file_path.suffix != ".md" or not _enabled(parent.config):
        return None
    # pytest offers every file of a folder, once per path argument: remember each
    # folder's answer rather than walking up to site.yml every time.
    roots = parent.config.stash[_STATE].roots
    folder = file_path.parent
    if folder not in roots:
        root = find_site_root(folder)
        roots[folder] = root if root is not None and _in_content(folder, root) else None
    root = roots[folder]
    return None if root is None else PostFile.from_parent(parent, path=file_path, site_root=root)


def _in_content(folder: Path, root: Path) -> bool:
    content = (root / "content").resolve()
    real = folder.resolve()
    return real == content or content in real.parents


class PostFile(pytest.File):
    """One post; it yields a single item named after its slug."""

    def __init__(self, *, site_root: Path, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.site_root = site_root

    def collect(self) -> list[PostItem]:
        return [PostItem.from_parent(self, name=self.path.stem, site_root=self.site_root)]


class PostItem(pytest.Item):
    """Validates and runs one post exactly as ``pebbles check PATH`` would."""

    def __init__(self, *, site_root: Path, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.site_root = site_root

    def runtest(self) -> None:
        result = _verdict(self)
        self.add_report_section("call", "pebbles blocks", "\n".join(_block_lines(result)))
        if result.status is Status.FAILED:
            raise PostFailed(result)
        if result.status is Status.SKIPPED:
            reasons = {b.reason for b in result.blocks if b.reason}
            reason = "; ".join(sorted(reasons)) or "every block is skipped"
            # Reported at the post, not at this line (pytest's skip markers do the same).
            raise pytest.skip.Exception(reason, _use_item_location=True)

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: object = None,
    ) -> str:
        """The post's diagnostics at their ``.md`` lines, as ``pebbles check`` prints them."""
        if not isinstance(excinfo.value, PostFailed):
            return str(super().repr_failure(excinfo))
        result = excinfo.value.result
        failed = [b for b in result.blocks if b.status is Status.FAILED]
        head = f"{result.path}: {len(failed)} of {len(result.blocks)} code blocks failed"
        shown = [d.format() for d in result.findings if d.severity is not Severity.INFO]
        return "\n".join([head, *shown])

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"post {self.name}"


def _block_lines(result: PostResult) -> list[str]:
    return [
        f"line {b.line} ({b.language}): {b.status.value}" + (f" — {b.reason}" if b.reason else "")
        for b in result.blocks
    ]


def _verdict(item: PostItem) -> PostResult:
    """The item's post checked by the real runner, in as few runner calls as possible.

    Alone, pytest runs every collected post here, so the first item checks them all
    in one call that keeps every core busy. Under pytest-xdist each worker only
    learns its items one at a time, so it checks one post per call on one core
    and leaves the spreading to xdist.
    """
    state = item.config.stash[_STATE]
    shown = display_path(item.path)
    if shown not in state.results:
        under_xdist = hasattr(item.config, "workerinput")
        batch = [item] if under_xdist else _unchecked(item.session.items, state)
        for root in dict.fromkeys(i.site_root for i in batch):
            paths = tuple(display_path(i.path) for i in batch if i.site_root == root)
            request = RunRequest(jobs=1) if under_xdist else RunRequest()
            state.results.update(_check_posts(state, root, paths, request))
    return state.results[shown]


def _unchecked(items: list[pytest.Item], state: _State) -> list[PostItem]:
    return [
        i for i in items if isinstance(i, PostItem) and display_path(i.path) not in state.results
    ]


def _check_posts(
    state: _State, root: Path, paths: tuple[str, ...], request: RunRequest
) -> dict[str, PostResult]:
    from .runner import run_posts

    if root not in state.sites:
        # The whole site, parsed once per process: links between posts need all of it.
        state.sites[root] = load_site(load_config(root))
    loaded = state.sites[root]
    report = check(Loaded(loaded.site, paths, loaded.file_problems), request, run_posts)
    return {post.path: post for post in report.posts}
