"""Real components for the service tests: a mosquitto broker on a free loopback port, edge-run as
a subprocess (the real command, signals and all), and a paho subscriber that records messages.

A missing broker FAILS with the install hint (CI installs it; nothing skips).
"""

from __future__ import annotations

import getpass
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from edge_fixtures import DATA_DIR

ROOT = Path(__file__).resolve().parent.parent
MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
WAIT_S = 60.0  # generous: the test machine is shared; no assertion is about time


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, what: str, timeout: float = WAIT_S, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


class Broker:
    """mosquitto on 127.0.0.1:port, started (and killed, and restarted) by the test."""

    def __init__(self, folder: Path, port: int | None = None, extra: str = "") -> None:
        if not os.path.exists(MOSQUITTO):
            pytest.fail("mosquitto missing: apt-get install mosquitto (.ci/run does)")
        self.port = port or free_port()
        self.conf = folder / f"mosquitto-{self.port}.conf"
        # `user`: as root, mosquitto would switch to its own user, who cannot read the test's files
        self.conf.write_text(f"listener {self.port} 127.0.0.1\nuser {getpass.getuser()}\n"
                             + (extra or "allow_anonymous true\n"))
        self.log = folder / f"mosquitto-{self.port}.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> Broker:
        self.proc = subprocess.Popen([MOSQUITTO, "-c", str(self.conf), "-v"], stdout=self.log.open("ab"),
                                     stderr=subprocess.STDOUT)
        wait_for(self._listening, f"mosquitto on port {self.port} ({self.log.read_text()[-300:]})")
        return self

    def _listening(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"mosquitto exited: {self.log.read_text()[-500:]}")
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
            return True
        except OSError:
            return False

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()  # no goodbye to the clients: the way a broker host dies
            self.proc.wait()

    def __enter__(self) -> Broker:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.kill()


class Subscriber:
    """A paho client that records every message on `topics` as (topic, payload text, retained, qos)."""

    def __init__(self, port: int, topics: list[str], login: tuple[str, str] | None = None, **tls) -> None:
        import paho.mqtt.client as mqtt

        self.messages: list[tuple[str, str, bool, int]] = []
        self.lock = threading.Lock()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        if login:
            self.client.username_pw_set(*login)
        if tls:
            self.client.tls_set(**tls)
        self.client.on_message = lambda _c, _u, m: self._record(m)
        self.client.on_connect = lambda c, _u, _f, _r, _p: [c.subscribe(t, qos=1) for t in topics]
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()

    def _record(self, m) -> None:
        with self.lock:
            self.messages.append((m.topic, m.payload.decode(), bool(m.retain), m.qos))

    def on(self, topic: str) -> list[str]:
        with self.lock:
            return [payload for t, payload, _, _ in self.messages if t == topic]

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def __enter__(self) -> Subscriber:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class EdgeRun:
    """`python -m edge.cli ARGS` in the background; stdout (JSON lines) and stderr collected."""

    def __init__(self, *args: str) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen([sys.executable, "-m", "edge.cli", *args], cwd=ROOT, env=env, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.out: list[str] = []
        self.err: list[str] = []
        for stream, into in ((self.proc.stdout, self.out), (self.proc.stderr, self.err)):
            threading.Thread(target=lambda s=stream, i=into: [i.append(line) for line in s], daemon=True).start()

    @classmethod
    def demo(cls, *args: str, save_dir: Path) -> EdgeRun:
        """The demo source, long enough to outlast the test; stopped with SIGTERM."""
        return cls("--demo", "--data-dir", DATA_DIR, "--max-frames", "100000", "--json", "--no-window",
                   "--save-dir", str(save_dir), *args)

    def readings(self) -> list[dict]:
        return [json.loads(line) for line in list(self.out) if line.startswith("{")]

    def stderr(self) -> str:
        return "".join(self.err)

    def url(self) -> str:
        # on stderr with --json, else on stdout
        line = wait_for(lambda: next((x for x in list(self.err) + list(self.out) if "serving http" in x), None)
                        or self._alive(),
                        "edge-run to say where it serves")
        return line.split("serving ")[1].split()[0]

    def _alive(self) -> None:
        if self.proc.poll() is not None:
            raise AssertionError(f"edge-run exited {self.proc.returncode}: {self.stderr()}")

    def stop(self, timeout: float = WAIT_S) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def __enter__(self) -> EdgeRun:
        return self

    def __exit__(self, *exc) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
