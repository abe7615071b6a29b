"""gunicorn for production on a two-core county server (bench/load.py measured the choice;
bench/README.md has the runs).

Four worker processes of two threads: the pages spend part of their time waiting for PostgreSQL,
so a second thread overlaps that wait, while more processes than cores keep both cores busy
without one process's threads queuing behind its own GIL. In runs made back to back at 50 users,
4 × 2 had a lower p95 than 3 × 4 every time (295-461 ms against 435-504 ms); five sync workers
came out about level with 4 × 2, but a sync worker is held for the whole of a slow upload (a
cadre's photos over a weak signal). Set CONN_MAX_AGE (e.g. 60) so each thread keeps its database
connection. WEB_CONCURRENCY, GUNICORN_THREADS, GUNICORN_WORKER_CLASS and GUNICORN_KEEPALIVE
override.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
# A roster upload or an export page may take a while; the long work itself runs in Celery.
timeout = 60
# Seconds an idle keep-alive connection is kept. gunicorn's default of 2 raced clients that
# paused about that long: bench/load.py saw "connection reset" on requests sent 2.03-2.07 s
# after the last answer, as the server closed the socket. Behind nginx (docs/operations.md)
# this only concerns nginx's own connections.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
graceful_timeout = 30
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = 5000
max_requests_jitter = 500
accesslog = "-"
# The access log masks ID numbers searched for by GET (poverty/personal/logs.py).
logger_class = "poverty.personal.logs.ScrubbedLogger"


def post_worker_init(worker):
    """Collect garbage less often. A page allocates tens of thousands of objects, and at
    Python's default (a collection every 700) the collector ran some fifty times a page: 2 ms
    of CPU a request in-process on the demo mix, 1 ms at 50,000 (bench/README.md). What the
    worker loaded at start is frozen out of every collection; a cycle left by a request is
    still freed, a little later."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
