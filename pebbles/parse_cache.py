"""Read the site: parsed posts are cached by content, misses parsed in parallel.

Parsing (YAML front matter and Markdown) is most of a no-op rebuild's or warm
check's cost, and the result depends only on a file's bytes, its path, the topics
in ``site.yml`` and pebbles' own code — so that is the cache key. The cache is a
local pickle that pebbles itself writes under ``.pebbles-cache/``; it is not
shared with anyone.
"""

from __future__ import annotations

import functools
import hashlib
import multiprocessing
import os
import pickle
import secrets
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .cache import make_cache_dir
from .check import Loaded
from .content import discover, display_path, load_post
from .model import Diagnostic, Post, Site, SiteConfig

CACHE_FILE = "parsed.pickle"
# `pebbles check` keys its parses by pebbles' code alone (a build's key also covers
# the theme), so each keeps a file of its own rather than undoing the other's.
CHECK_CACHE_FILE = "parsed-check.pickle"
# Below this many files to parse, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 200

Parsed = tuple[Post | None, list[Diagnostic]]


def load_for_build(
    config: SiteConfig, *, cache_dir: Path | None, code_fingerprint: str, workers: int
) -> Loaded:
    """Every post and guide, like :func:`pebbles.check.load_site` with no targets."""
    return _load(config, (), cache_dir, CACHE_FILE, code_fingerprint, workers)


def load_for_check(
    config: SiteConfig, targets: Sequence[Path], *, cache_dir: Path | None, workers: int
) -> Loaded:
    """Like :func:`pebbles.check.load_site`: the whole site is read (from the cache
    where it can be), and ``targets`` narrow what is reported, not what is read."""
    return _load(config, targets, cache_dir, CHECK_CACHE_FILE, code_fingerprint(), workers)


@functools.cache
def code_fingerprint() -> str:
    """A digest of pebbles' own modules: any of them may change what a parse gives."""
    whole = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        whole.update(f"{path.name}\0".encode() + path.read_bytes())
    return whole.hexdigest()


def _load(
    config: SiteConfig,
    targets: Sequence[Path],
    cache_dir: Path | None,
    cache_file: str,
    fingerprint: str,
    workers: int,
) -> Loaded:
    found = discover(config)
    salt = _salt(config, fingerprint)
    cached = _read(cache_dir, cache_file, salt)
    documents = [(path, display_path(path), False) for path in found.posts]
    documents += [(path, display_path(path), True) for path in found.guides]
    parsed: dict[str, tuple[str, Parsed]] = {}
    missing: list[tuple[Path, str, bool]] = []
    missing_keys: list[str] = []
    for path, shown, is_guide in documents:
        key = _key(path, config)
        hit = cached.get(shown)
        if key and hit is not None and hit[0] == key:
            parsed[shown] = hit
        else:
            missing.append((path, shown, is_guide))
            missing_keys.append(key)
    fresh = _parse([(path, is_guide) for path, _, is_guide in missing], config, workers)
    for (_, shown, _), key, result in zip(missing, missing_keys, fresh, strict=True):
        parsed[shown] = (key, result)
    if missing and cache_dir is not None:
        _write(cache_dir, cache_file, salt, {k: hit for k, hit in parsed.items() if hit[0]})
    if not targets:
        return _loaded(config, documents, parsed, found.diagnostics, None)
    chosen = discover(config, targets)
    selected = tuple(display_path(p) for p in (*chosen.posts, *chosen.guides))
    return _loaded(config, documents, parsed, found.diagnostics + chosen.diagnostics, selected)


def _loaded(
    config: SiteConfig,
    documents: list[tuple[Path, str, bool]],
    parsed: dict[str, tuple[str, Parsed]],
    site_wide: tuple[Diagnostic, ...],
    selected: tuple[str, ...] | None,
) -> Loaded:
    posts: list[Post] = []
    guides: list[Post] = []
    problems: dict[str, list[Diagnostic]] = {}
    for _, shown, is_guide in documents:
        post, diagnostics = parsed[shown][1]
        problems[shown] = list(diagnostics)
        if post is not None:
            (guides if is_guide else posts).append(post)
    if selected is None:
        selected = tuple(shown for _, shown, _ in documents)
    site = Site(config, tuple(posts), tuple(guides), tuple(dict.fromkeys(site_wide)))
    return Loaded(site, selected, problems)


def _key(path: Path, config: SiteConfig) -> str:
    """Hash of the file's bytes; empty (never cached) when it is too big to read."""
    try:
        if path.stat().st_size > config.check.max_post_kib * 1024:
            return ""
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _salt(config: SiteConfig, code_fingerprint: str) -> str:
    topics = ",".join(t.slug for t in config.topics)
    return hashlib.sha256(
        f"{code_fingerprint}\0{topics}\0{config.check.max_post_kib}\0{os.getcwd()}".encode()
    ).hexdigest()


def _parse(missing: list[tuple[Path, bool]], config: SiteConfig, workers: int) -> list[Parsed]:
    if (
        len(missing) < PARALLEL_MIN_FILES
        or workers < 2
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return [load_post(path, config, is_guide=is_guide) for path, is_guide in missing]
    chunk = max(1, len(missing) // (workers * 4))
    slices = [missing[start : start + chunk] for start in range(0, len(missing), chunk)]
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("fork")
    ) as pool:
        done = pool.map(_parse_slice, slices, [config] * len(slices))
        return [result for part in done for result in part]


def _parse_slice(documents: Sequence[tuple[Path, bool]], config: SiteConfig) -> list[Parsed]:
    return [load_post(path, config, is_guide=is_guide) for path, is_guide in documents]


def _read(cache_dir: Path | None, cache_file: str, salt: str) -> dict[str, tuple[str, Parsed]]:
    if cache_dir is None:
        return {}
    try:
        with (cache_dir / cache_file).open("rb") as handle:
            saved = pickle.load(handle)
    except (
        OSError,
        pickle.UnpicklingError,
        EOFError,
        AttributeError,
        ImportError,
        TypeError,
        ValueError,
    ):
        return {}
    if not isinstance(saved, dict) or saved.get("salt") != salt:
        return {}
    documents: dict[str, tuple[str, Parsed]] = saved.get("documents", {})
    return documents


def _write(
    cache_dir: Path, cache_file: str, salt: str, documents: dict[str, tuple[str, Parsed]]
) -> None:
    scratch = cache_dir / f"{cache_file}.{secrets.token_hex(4)}"
    try:
        make_cache_dir(cache_dir)
        with scratch.open("wb") as handle:
            pickle.dump(
                {"salt": salt, "documents": documents}, handle, protocol=pickle.HIGHEST_PROTOCOL
            )
        os.replace(scratch, cache_dir / cache_file)
    except OSError:
        scratch.unlink(missing_ok=True)  # a cache that cannot be written is only slower
