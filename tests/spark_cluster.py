"""A Spark standalone cluster on loopback, started from the pyspark package itself: one master and one
worker with one core and little memory, as `spark-class` runs them (`pyspark/bin/spark-class
org.apache.spark.deploy.master.Master`, `… deploy.worker.Worker spark://127.0.0.1:PORT`).

Each daemon runs in a process group of its own, and the executors the worker starts for an
application are its children, in its group: `stop()` ends each group (SIGTERM, then SIGKILL after a
grace period) and removes the cluster's folder, whether the cluster started, failed to start or ran a
test that failed. Should the test process itself be killed (SIGKILL: no `finally` runs), Linux sends
each daemon SIGTERM as its parent dies (`PR_SET_PDEATHSIG`), and the worker's shutdown ends its
executors. Everything listens on 127.0.0.1 (`SPARK_LOCAL_IP`, also for the driver: an executor
connects back to it), on free ports. Like `pg_cluster.py`, nothing here is part of reglement.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

LOOPBACK = "127.0.0.1"
WORKER_MEMORY = "1g"  # what the worker offers: one executor of Spark's default 1g, and no more
DAEMON_MEMORY = "256m"  # the heap of the master's and the worker's own JVMs
START_TIMEOUT = 120  # seconds for the master to come up and the worker to register with it


def spark_home() -> Path:
    """The folder of the pyspark package: it holds `bin/spark-class` and the jars."""
    import pyspark

    return Path(pyspark.__file__).parent


def spark_env() -> dict[str, str]:
    """The environment of every process of the cluster and of a driver that uses it: loopback only."""
    return {**os.environ, "SPARK_HOME": str(spark_home()), "SPARK_LOCAL_IP": LOOPBACK}


class SparkCluster:
    """A master and one worker, started at once; `url` is the master for `--spark-master`."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="reglement-spark-"))
        self.port, self.ui_port = _free_port(), _free_port()
        self.url = f"spark://{LOOPBACK}:{self.port}"
        self._daemons: list[tuple[str, subprocess.Popen]] = []
        try:
            self._start("master", "org.apache.spark.deploy.master.Master", "--host", LOOPBACK,
                        "--port", str(self.port), "--webui-port", str(self.ui_port))
            self._start("worker", "org.apache.spark.deploy.worker.Worker", "--host", LOOPBACK, "--webui-port", "0",
                        "--cores", "1", "--memory", WORKER_MEMORY, "--work-dir", str(self.folder / "work"), self.url)
            self._wait(lambda state: state.get("aliveworkers") == 1, "the worker to register with the master")
        except BaseException:
            self.stop()
            raise

    def _start(self, name: str, main_class: str, *args: str) -> None:
        log = (self.folder / f"{name}.log").open("wb")
        env = spark_env() | {"SPARK_DAEMON_MEMORY": DAEMON_MEMORY, "SPARK_NO_DAEMONIZE": "1"}
        with log:
            process = subprocess.Popen([str(spark_home() / "bin" / "spark-class"), main_class, *args], env=env,
                                       stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                       start_new_session=True, cwd=self.folder, preexec_fn=die_with_parent)
        self._daemons.append((name, process))

    def state(self) -> dict:
        """The master's own account of the cluster (its web UI's /json/): workers, applications."""
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, never through a proxy
        with direct.open(f"http://{LOOPBACK}:{self.ui_port}/json/", timeout=5) as response:
            return json.load(response)

    def _wait(self, ready, what: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            for name, process in self._daemons:
                if process.poll() is not None:
                    raise RuntimeError(f"the Spark {name} exited with {process.returncode}:\n{self.log(name)}")
            with contextlib.suppress(OSError, ValueError):
                if ready(self.state()):
                    return
            time.sleep(0.5)
        raise TimeoutError(f"waited {START_TIMEOUT} s for {what}:\n" + "\n".join(self.log(n) for n, _ in self._daemons))

    def log(self, name: str) -> str:
        """The last lines a daemon wrote (its log4j output)."""
        path = self.folder / f"{name}.log"
        lines = path.read_text("utf-8", errors="replace").splitlines() if path.exists() else []
        return "\n".join(lines[-30:])

    def groups(self) -> list[int]:
        """The process groups of the daemons that still have a process (the worker's holds its executors)."""
        return [process.pid for _, process in self._daemons if _group_alive(process.pid)]

    def stop(self, grace: float = 20) -> None:
        """End the worker (and its executors), then the master; remove the cluster's folder."""
        try:
            for _, process in reversed(self._daemons):
                stop_group(process, grace)
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def die_with_parent() -> None:
    """In a child before it runs its program: SIGTERM when the process that started it dies (Linux's
    PR_SET_PDEATHSIG, kept across exec); elsewhere nothing."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG


def stop_group(process: subprocess.Popen, grace: float = 20) -> None:
    """SIGTERM to the process's group, SIGKILL to what is left after `grace` seconds; returns once the whole
    group is gone (the leader reaped here, an executor it leaves behind by the system) or, failing that, after
    ten more seconds."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(0.2)
            if process.returncode is not None and not _group_alive(process.pid):
                return
            if process.returncode is not None:
                time.sleep(0.2)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]
