"""Work a server process runs beside its requests, started by the server once it holds the app.

gunicorn starts it from ``post_worker_init`` (``gunicorn.conf.py``, read from the working
directory); a hand-made server calls :func:`start` itself. No request starts anything: the
first request of a worker is as cheap as the others, and a worker that serves no live page
still drains the answers its siblings accepted.
"""

from __future__ import annotations

from flask import Flask

from academy import loadlag


def start(app: Flask) -> None:
    """The event-loop watch (gevent workers) and the live-answer drainer (where Redis and the settings ask)."""
    from academy.competitions.services import intake

    loadlag.ensure_started()
    intake.ensure_draining(app)
