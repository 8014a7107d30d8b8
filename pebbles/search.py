"""The site's full-text search index, built with Pagefind after the pages are written.

Pagefind's PyPI wheel ships its own binary, so indexing works offline. It is run
as a command rather than through its asyncio wrapper: the wrapper talks to a
long-lived service it polls every 0.1 s, while one CLI call indexes a whole site
in milliseconds. The browser side (``renderer/static/js/search.js``) loads the
index from ``<site>/pagefind/``.

Only elements marked ``data-pagefind-body`` (the post and guide articles) are
indexed when any page has one, so the sidebar's 49 topic names do not make every
page match every topic.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from .model import Diagnostic, Severity

INDEX_DIR = "pagefind"
# Page chrome inside an article that is not lesson text.
_IGNORED = (".heading-anchor", ".copy-button", ".code-head", ".verdict", "[data-pagefind-ignore]")
_TIMEOUT_S = 120


def pagefind_binary() -> Path | None:
    """The Pagefind executable: the one the ``pagefind[extended]`` wheel ships, else PATH."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        found = shutil.which("pagefind_extended") or shutil.which("pagefind")
        return Path(found) if found else None
    return get_executable()


def build_search_index(out_dir: Path) -> list[Diagnostic]:
    """Index the HTML under ``out_dir`` into ``out_dir/pagefind/``.

    Any previous index is replaced. Search is an enhancement, so a missing or failing
    indexer is a warning: the rest of the site is still good to publish.
    """
    binary = pagefind_binary()
    if binary is None:
        return [
            _warning(
                out_dir,
                "pagefind is not installed (pip install 'pagefind[extended]'); the site has no search",
            )
        ]
    shutil.rmtree(out_dir / INDEX_DIR, ignore_errors=True)
    command = [str(binary), "--site", str(out_dir), "--output-subdir", INDEX_DIR, "--silent"]
    for selector in _IGNORED:
        command += ["--exclude-selectors", selector]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        return [_warning(out_dir, f"search index not built: {err}")]
    if done.returncode != 0 or not (out_dir / INDEX_DIR / "pagefind.js").is_file():
        said = (done.stderr or done.stdout).strip().splitlines()
        detail = said[-1] if said else f"exit status {done.returncode}"
        return [_warning(out_dir, f"search index not built: pagefind: {detail}")]
    return []


def _warning(out_dir: Path, message: str) -> Diagnostic:
    return Diagnostic(str(out_dir / INDEX_DIR), 1, 1, Severity.WARNING, "search-index", message)
