"""gunicorn reads ./gunicorn.conf.py when started from here: the settings are the package's."""

from screener.gunicorn_config import *  # noqa: F403
