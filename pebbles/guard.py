"""What stands between the desk's API and a hostile request.

A write to the desk must come from a page this server served: it carries the
session token embedded in that page (a cross-site page cannot read it), names
this server as its ``Origin`` when the browser sends one, and sends JSON (which
no cross-site form can). Each client address has a request budget per minute.
"""

from __future__ import annotations

import hmac
import math
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from ipaddress import ip_address

from starlette.requests import Request

TOKEN_HEADER = "x-pebbles-token"
TOKEN_META = "pebbles-desk"
_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")


def new_token() -> str:
    """A fresh session token; one per server process, so a restart invalidates old pages."""
    return secrets.token_urlsafe(32)


def allowed_hosts(host: str, port: int) -> list[str]:
    """``Host`` header values to accept. Naming them defeats DNS rebinding, where a
    hostile name is pointed at 127.0.0.1 to reach this server from a web page."""
    if _is_wildcard(host):
        return ["*"]
    names = {host if ":" not in host else f"[{host}]"}
    if _is_loopback(host):
        names.update(_LOOPBACK_NAMES)
    return sorted(names)


def _is_wildcard(host: str) -> bool:
    return host in ("0.0.0.0", "::", "")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Refusal:
    status: int
    message: str


def refuse_write(request: Request, token: str) -> Refusal | None:
    """Why a desk write must be refused, or ``None`` when it may go ahead."""
    origin = request.headers.get("origin")
    if origin is not None and origin != _own_origin(request):
        return Refusal(403, "requests from other sites are refused")
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return Refusal(403, "requests from other sites are refused")
    sent = request.headers.get(TOKEN_HEADER, "")
    if not hmac.compare_digest(sent.encode(), token.encode()):
        return Refusal(403, "missing or stale page token: reload the Write a Post page")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        return Refusal(415, "send JSON (Content-Type: application/json)")
    return None


def _own_origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.headers.get('host', '')}"


@dataclass
class _Bucket:
    tokens: float
    stamp: float


@dataclass
class RateLimiter:
    """A token bucket per client: ``per_minute`` requests, refilled evenly.

    A full minute's budget may be spent at once (a burst), then requests are let
    through as the bucket refills. Idle clients are forgotten.
    """

    per_minute: int
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, _Bucket] = field(default_factory=dict)
    _forget_after: int = 10_000  # clients remembered before idle ones are dropped

    def take(self, client: str) -> float:
        """Spend one request; returns 0 when allowed, else seconds until one is."""
        now = self.clock()
        rate = self.per_minute / 60.0
        bucket = self._buckets.get(client)
        if bucket is None:
            if len(self._buckets) >= self._forget_after:
                self._forget_idle(now, rate)
            bucket = self._buckets[client] = _Bucket(float(self.per_minute), now)
        bucket.tokens = min(float(self.per_minute), bucket.tokens + (now - bucket.stamp) * rate)
        bucket.stamp = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / rate

    def _forget_idle(self, now: float, rate: float) -> None:
        full = [
            client
            for client, bucket in self._buckets.items()
            if bucket.tokens + (now - bucket.stamp) * rate >= self.per_minute
        ]
        for client in full:
            del self._buckets[client]


def retry_after(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))
