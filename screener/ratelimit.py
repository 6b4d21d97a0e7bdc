"""Rate limits on the few views that have them (sign-in, resume, starting), with `limits`.

Only these views count and check anything; no other request pays for rate limiting.
Settings: RATELIMIT_ENABLED (default on) and RATELIMIT_STORAGE_URI (default memory://, one
process; redis://host:port/db shares the counts between workers and machines).
"""

import functools
import math
import time
from collections.abc import Callable, Iterable

from flask import Flask, Response, current_app, request
from limits import parse_many, storage, strategies
from werkzeug.exceptions import TooManyRequests

EXTENSION_KEY = "screener.ratelimit"


def init_app(app: Flask) -> None:
    """Connect this app's counters to the configured storage."""
    app.config.setdefault("RATELIMIT_ENABLED", True)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    counters = storage.storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
    # A moving window: "5 per 15 minutes" means any 15 minutes, not each quarter hour.
    app.extensions[EXTENSION_KEY] = strategies.MovingWindowRateLimiter(counters)


def remote_address() -> str:
    """The client's address (behind PROXY_HOPS proxies, the one they forwarded)."""
    return request.remote_addr or "unknown"


def _refuse(limiter, items, scope: str, who: str) -> TooManyRequests:
    """429, with Retry-After: the seconds until every exhausted limit allows one more try."""
    now = time.time()
    waits = [
        limiter.get_window_stats(item, scope, who).reset_time - now
        for item in items
        if not limiter.test(item, scope, who)
    ]
    return TooManyRequests(retry_after=max(1, math.ceil(max(waits, default=1))))


def limit(
    rate: str,
    *,
    key: Callable[[], str] = remote_address,
    methods: Iterable[str] | None = None,
    counts: Callable[[Response], bool] | None = None,
    scope: str | None = None,
):
    """Refuse a view with 429 once one key has used up `rate` ("10 per minute"; several limits
    separated by ";" make a longer wait after more tries: "5 per 15 minutes; 10 per 2 hours").

    `key` says whose tries these are (an address, an account, a resume code); stack two limits
    to count per address and per something else. `methods` limits only those methods; `counts`
    decides, once the view has answered, which requests count (from the response, or from what
    the view noted on `g`); the others are checked against the limit but not added to it.
    `scope` names the counter, so that two views can share one (default: the view's own).
    """
    items = parse_many(rate)
    only = frozenset(methods) if methods else None

    def decorator(view):
        name = scope or f"{view.__module__}.{view.__qualname__}"

        @functools.wraps(view)
        def limited(*args, **kwargs):
            if not current_app.config["RATELIMIT_ENABLED"] or (
                only is not None and request.method not in only
            ):
                return view(*args, **kwargs)
            limiter = current_app.extensions[EXTENSION_KEY]
            who = key()
            if counts is None:
                # Each hit is one atomic step in the store: exact under many workers at once.
                if not all([limiter.hit(item, name, who) for item in items]):
                    raise _refuse(limiter, items, name, who)
                return view(*args, **kwargs)
            if not all(limiter.test(item, name, who) for item in items):
                raise _refuse(limiter, items, name, who)
            response = current_app.make_response(view(*args, **kwargs))
            if counts(response):
                for item in items:
                    limiter.hit(item, name, who)
            return response

        return limited

    return decorator
