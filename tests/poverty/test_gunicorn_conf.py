"""gunicorn.conf.py: the production server's shape (issue 22 item 10, measured by bench/load.py)."""

import importlib.util
import os
from pathlib import Path
from unittest import mock

from gunicorn.config import Config

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def load(**env):
    spec = importlib.util.spec_from_file_location("gunicorn_conf", CONF)
    conf = importlib.util.module_from_spec(spec)
    with mock.patch.dict(os.environ, env):
        for name in ("WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_KEEPALIVE"):
            if name not in env:
                os.environ.pop(name, None)
        spec.loader.exec_module(conf)
    return conf


def test_by_default_a_worker_per_core_plus_one_takes_a_request_only_when_free():
    conf = load()
    assert conf.workers == conf.cores() + 1
    assert conf.worker_class == "gthread"
    # Closing each connection after its answer and taking one only with a thread free is what
    # puts every waiting request in the kernel's one queue instead of behind a busy worker.
    assert conf.keepalive == 0
    assert conf.worker_connections == conf.threads == 1


def test_overrides_keep_a_place_per_thread_or_leave_room_for_kept_alive_connections():
    assert load(GUNICORN_THREADS="4").worker_connections == 4
    kept = load(GUNICORN_KEEPALIVE="5", WEB_CONCURRENCY="2", GUNICORN_THREADS="2")
    assert (kept.workers, kept.threads, kept.keepalive) == (2, 2, 5)
    assert kept.worker_connections == 1000  # an idle kept-alive connection must not block others


def test_every_setting_it_makes_is_one_gunicorn_knows():
    # gunicorn ignores a name it does not know: a misspelt setting would silently not apply.
    conf = load()
    known = Config().settings
    made = {
        name
        for name, value in vars(conf).items()
        if not name.startswith("_") and not callable(value) and name != "os"
    }
    assert made <= set(known), made - set(known)
    assert {"workers", "threads", "keepalive", "worker_connections"} <= made
