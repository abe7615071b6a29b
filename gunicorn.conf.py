"""gunicorn for production on a two-core county server (bench/load.py measured the choice).

Three worker processes of four threads: the pages spend much of their time waiting for
PostgreSQL, so threads overlap that wait while processes use both cores; more processes only
added memory and context switches. Set CONN_MAX_AGE (e.g. 60) so each thread keeps its database
connection instead of opening one per request. WEB_CONCURRENCY and GUNICORN_THREADS override.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
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
