"""gunicorn for production on a two-core county server, behind nginx (bench/load.py measured the
choice; bench/README.md has the runs).

One worker process per core plus one, one thread each, and a worker takes a connection only when
its thread is free (worker_connections = threads, keep-alive 0). Requests then wait in the kernel's
one queue and go to whichever worker frees first. A gthread worker otherwise accepts connections
while its threads are busy, and a kept-alive connection ties its browser to one process: requests
queued behind a busy worker while another idled. At 50 users, in runs next to each other, the p95
this way was 40 % of that of 4 × 2 threads with keep-alive 5 s or less (188-871 ms against
680-2,539 ms as the machine's speed drifted; bench/README.md). nginx keeps the browsers'
connections alive and opens a fresh one to gunicorn per request anyway.

The gthread worker rather than sync: a request's body is read by the thread while the worker
keeps telling the master it is alive, so a slow upload is not killed at `timeout`. Set
CONN_MAX_AGE (e.g. 60) so each worker keeps its database connection. WEB_CONCURRENCY,
GUNICORN_THREADS, GUNICORN_WORKER_CLASS and GUNICORN_KEEPALIVE override; with a keep-alive above
0 a worker accepts as many connections as gunicorn's default allows (an idle kept-alive
connection would otherwise hold its only place).
"""

import os

from gunicorn.config import Config


def cores() -> int:
    """The cores this process may run on (a container's cpuset included)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 2


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", cores() + 1))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# A roster upload or an export page may take a while; the long work itself runs in Celery.
timeout = 60
# Seconds an idle keep-alive connection is kept; 0 closes it after each answer, so the next
# request waits in the shared queue rather than behind this worker. Behind nginx only nginx's own
# connections are concerned. (With keep-alive, gunicorn's default of 2 s raced clients pausing
# about that long: bench/load.py saw resets on requests sent 2.03-2.07 s after the last answer.)
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "0"))
# Take a connection only with a thread free to answer it (see above); kept-alive connections
# would each hold a place, so with keep-alive gunicorn's own default stands.
worker_connections = threads if keepalive == 0 else Config().worker_connections
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
