"""gunicorn hooks (`--config python:mie_dx.gunicorn_hooks`): /metrics across workers.

With PROMETHEUS_MULTIPROC_DIR set, each gunicorn worker writes its request counts there and
/metrics adds them up (mie_dx.metrics). The directory is emptied when gunicorn starts, and a
worker that exits is marked dead so that its live gauges are dropped.
"""

import os
import shutil
from pathlib import Path
from typing import Any

from prometheus_client import multiprocess


def on_starting(server: Any) -> None:
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        Path(directory).mkdir(parents=True, exist_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
