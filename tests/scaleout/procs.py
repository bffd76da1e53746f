"""Processes the production-shaped tests start: each in its own process group (a gunicorn
master and its workers, a Celery worker and its pool), its output in a log file, all of them
stopped at the end whatever happens."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


@dataclass
class Started:
    name: str
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def pgid(self) -> int:
        return self.proc.pid  # started with start_new_session: the leader's pid

    def tail(self, lines: int = 30) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


@dataclass
class Processes:
    folder: Path
    env: dict[str, str]
    cwd: Path
    started: list[Started] = field(default_factory=list)

    def start(self, name: str, argv: list[str], **env: str) -> Started:
        log = self.folder / f"{name}.log"
        with log.open("ab") as out:
            proc = subprocess.Popen(
                argv, cwd=self.cwd, env={**self.env, **env}, stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip
        item = Started(name, proc, log)
        self.started.append(item)
        return item

    def run(self, argv: list[str], timeout: float, **env: str) -> str:
        """Run a command to its end; its output, or a failure that shows it."""
        done = subprocess.run(
            argv, cwd=self.cwd, env={**self.env, **env}, capture_output=True, text=True,
            timeout=timeout, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise AssertionError(
                f"{' '.join(argv)} exited {done.returncode}:\n{done.stdout[-3000:]}\n"
                f"{done.stderr[-3000:]}"
            )
        return done.stdout

    def kill_group(self, item: Started) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(item.pgid, signal.SIGKILL)
        item.proc.wait(timeout=30)

    def stop_all(self, grace: float = 15) -> None:
        """SIGTERM to each main process (never to a whole group: Celery's pool processes must
        not be signalled under their parent), then SIGKILL to every group still there."""
        for item in self.started:
            if item.proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    item.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for item in self.started:
            with contextlib.suppress(subprocess.TimeoutExpired):
                item.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        for item in self.started:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(item.pgid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                item.proc.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def wait_for_port(port: int, item: Started, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if item.proc.poll() is not None:
            raise AssertionError(f"{item.name} exited {item.proc.returncode}:\n{item.tail()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{item.name} does not listen on {port} after {seconds} s:\n{item.tail()}")


def wait_until(what: str, check: Callable[[], T], seconds: float, every: float = 0.5) -> T:
    """Poll ``check()`` until it returns something true; fail saying ``what`` otherwise."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not after {seconds:.0f} s")
        time.sleep(every)
