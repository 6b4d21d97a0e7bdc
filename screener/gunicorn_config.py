"""gunicorn settings for serving the app, read with `gunicorn -c python:screener.gunicorn_config`
(and from the checkout's gunicorn.conf.py, which gunicorn reads by default).

Every value can be overridden on gunicorn's command line or in GUNICORN_CMD_ARGS.
"""

import os
import re

from gunicorn import glogging

from config import Config

__all__ = [
    "access_log_format",
    "bind",
    "forwarded_allow_ips",
    "logger_class",
    "on_starting",
    "wsgi_app",
    "workers",
]

wsgi_app = "screener:create_app()"
bind = os.environ.get("BIND", "127.0.0.1:8000")
# WEB_CONCURRENCY is gunicorn's own variable for the number of workers.
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
# The proxy's own address: gunicorn takes X-Forwarded-Proto only from it (PROXY_HOPS says how
# many X-Forwarded-For entries the app trusts).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# No client address, query string, referrer or browser: a clinician's name search travels in
# the query string, and a request's address and browser say who a patient is.
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'

RESUME_LINK = re.compile(r"^/resume/[^/]+")


class AccessLog(glogging.Logger):
    """gunicorn's logger, with the secret token of a resume link left out of the access log."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = RESUME_LINK.sub("/resume/-", atoms["U"])
        return atoms


logger_class = AccessLog


def on_starting(server) -> None:
    """Refuse several workers counting rate limits each in its own memory: each would let
    through the whole limit, and a 4-worker server four times as many sign-in guesses."""
    if (
        server.cfg.workers > 1
        and Config.RATELIMIT_ENABLED
        and Config.RATELIMIT_STORAGE_URI.startswith("memory://")
    ):
        raise SystemExit(
            f"RATELIMIT_STORAGE_URI is memory://, which counts in each process, and gunicorn "
            f"would start {server.cfg.workers} workers. Point it at Redis "
            f"(redis://127.0.0.1:6379/0) or serve with one worker (--workers 1)."
        )
