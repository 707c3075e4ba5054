"""Start-up objects out of the garbage collector's sight: full collections that walked them
stalled every thread of a worker for 10 to 45 ms, a few times a minute under load."""

from __future__ import annotations

import gc
import threading

from flask import Flask

_LOCK = threading.Lock()
_frozen = False


def init_gc_freeze(app: Flask) -> None:
    """Freeze once, at the first request the process serves (never in tests)."""

    @app.before_request
    def _freeze() -> None:
        if not _frozen and not app.testing:
            freeze_start_up_objects()


def freeze_start_up_objects() -> None:
    """Take what the process built at start (modules, app, catalogs…) out of the garbage
    collector's sight, once.

    Python's full collections walk every container object still alive: ~50,000 of them
    after start-up. Frozen, they are no longer walked (a full collection then takes under a
    millisecond); they are still freed by reference counting should they ever die. Not in
    tests, where each test's app would pile up in the frozen generation.
    """
    global _frozen
    with _LOCK:
        if not _frozen:
            gc.collect()
            gc.freeze()
            _frozen = True
