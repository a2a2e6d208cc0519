"""gunicorn reads this file from the working directory: settings given on the command line still win."""

from __future__ import annotations

from typing import Any


def post_worker_init(worker: Any) -> None:
    """Each worker, once it holds the app (and gevent has patched it), starts its background work."""
    from flask import Flask

    from academy import background

    if isinstance(worker.wsgi, Flask):
        background.start(worker.wsgi)
    else:  # an app wrapped by middleware, or not ours: say so rather than run without the drainer
        worker.log.warning("background work not started: %r is not the Flask app", worker.wsgi)
