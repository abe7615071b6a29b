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
graceful_timeout = 30
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = 5000
max_requests_jitter = 500
accesslog = "-"
