"""Rate limits on the few views that have them (sign-in, resume), with the `limits` library.

Only these views count and check anything; no other request pays for rate limiting.
Settings: RATELIMIT_ENABLED (default on) and RATELIMIT_STORAGE_URI (default memory://, one
process; redis://host:port/db shares the counts between workers and machines).
"""

import functools
from collections.abc import Callable, Iterable

from flask import Flask, Response, abort, current_app, request
from limits import parse, storage, strategies

EXTENSION_KEY = "screener.ratelimit"


def init_app(app: Flask) -> None:
    """Connect this app's counters to the configured storage."""
    app.config.setdefault("RATELIMIT_ENABLED", True)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    counters = storage.storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
    app.extensions[EXTENSION_KEY] = strategies.FixedWindowRateLimiter(counters)


def remote_address() -> str:
    """The client's address (the proxy's, behind one)."""
    return request.remote_addr or "unknown"


def limit(
    rate: str,
    *,
    key: Callable[[], str] = remote_address,
    methods: Iterable[str] | None = None,
    counts: Callable[[Response], bool] | None = None,
    scope: str | None = None,
):
    """Refuse a view with 429 once one key has used up `rate` (e.g. "10 per minute").

    `key` says whose tries these are (an address, an account, a resume code); stack two limits
    to count per address and per something else. `methods` limits only those methods; `counts`
    decides, once the view has answered, which requests count (from the response, or from what
    the view noted on `g`); the others are checked against the limit but not added to it.
    Each view counts apart, unless views name the same `scope` to share their counts.
    """
    item = parse(rate)
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
                if not limiter.hit(item, name, who):
                    abort(429)
                return view(*args, **kwargs)
            if not limiter.test(item, name, who):
                abort(429)
            response = current_app.make_response(view(*args, **kwargs))
            if counts(response):
                limiter.hit(item, name, who)
            return response

        return limited

    return decorator
