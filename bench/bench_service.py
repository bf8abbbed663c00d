"""Does the device service slow the camera loop? Frames/s of the real loop (edge.cli.run) with
the web server and MQTT on, nobody watching, against both off; and, for scale, with one viewer
on the MJPEG stream; and a control (plain Python work in the service's place) that shows what
any code at that spot of the loop costs in wall time on this machine under its load.

The modes alternate round by round (off, on, watched; then on, watched, off; ...) so that load
from other work on the machine falls on all of them alike; figures are medians over rounds, and
the on/off ratio is also taken per round (each "on" against the same round's "off"). A real mosquitto
(started here on a free loopback port) receives the readings; a subscriber counts them.

Writes bench/results/service.json and .md. Run (nice: the machine is shared):
    nice -n 10 python bench/bench_service.py --data-dir ../shared/data/mnist [--rounds 24] [--frames 60]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.request
from argparse import Namespace
from pathlib import Path

from edge.cli import run
from edge.demo.mnist import load_split
from edge.demo.synth import DemoScene
from edge.reader import DigitReader
from edge.runtime.interpreter import DigitClassifier
from edge.service.device import start_service
from edge.service.flags import mqtt_target, serve_address
from edge.sources import Frame

RESULTS = Path(__file__).parent / "results"
DEVICE = "bench"
MODES = ("off", "on", "watched", "control")
SETTLE_S = 1.0  # every mode idles this long before its timed run, so none starts fresher than another


class BusyStandIn:
    """Control: in the service's place, ~100 µs of plain Python a frame and nothing else. Its wall
    time shows what any code at that spot of the loop takes on this machine under its load."""

    def on_frame(self, *_args) -> None:
        total = 0
        for i in range(3000):
            total += i

    def close(self) -> None:
        pass


class LoopedFrames:
    """Pre-rendered demo frames, played like a live camera (so the loop's smoothing is on)."""

    live = True

    def __init__(self, frames, count: int) -> None:
        self.frames, self.count = frames, count

    def __iter__(self):
        for i in range(self.count):
            yield Frame(self.frames[i % len(self.frames)].image, "bench", i)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_broker(folder: str) -> tuple[subprocess.Popen, int]:
    import getpass

    port = free_port()
    conf = Path(folder) / "mosquitto.conf"
    conf.write_text(f"listener {port} 127.0.0.1\nuser {getpass.getuser()}\nallow_anonymous true\n")
    broker = subprocess.Popen(["/usr/sbin/mosquitto", "-c", str(conf)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    return broker, port


def watch(url: str, stop: threading.Event) -> None:
    """A viewer: read the MJPEG stream until told to stop."""
    with urllib.request.urlopen(url + "stream.mjpg", timeout=30) as stream:
        while not stop.is_set() and stream.read(65536):
            pass


def one_run(mode: str, source, reader, port: int) -> dict:
    service = BusyStandIn() if mode == "control" else None
    if mode in ("on", "watched"):
        args = Namespace(serve=serve_address("127.0.0.1:0"), serve_token=None, device_id=DEVICE,
                         mqtt=mqtt_target(f"mqtt://127.0.0.1:{port}/bench"), mqtt_ca=None, mqtt_cert=None, mqtt_key=None,
                         discovery_prefix="homeassistant")
        service = start_service(args, say=lambda _m: None)
        deadline = time.monotonic() + 10
        while not service.mqtt.connected and time.monotonic() < deadline:
            time.sleep(0.05)
    hand_off_s: list[float] = []  # wall time of each call
    hand_off_cpu_s: list[float] = []  # this thread's CPU time in it: wall minus CPU is time not running
    if service is not None:  # time the loop's one call per frame itself
        inner = service.on_frame

        def timed(*a, **k):
            t0, c0 = time.perf_counter(), time.thread_time()
            inner(*a, **k)
            hand_off_s.append(time.perf_counter() - t0)
            hand_off_cpu_s.append(time.thread_time() - c0)

        service.on_frame = timed
    viewer_stop = threading.Event()
    if mode == "watched":
        threading.Thread(target=watch, args=(service.web.url, viewer_stop), daemon=True).start()
    time.sleep(SETTLE_S)
    try:
        stats = run(source, reader, service=service, say=lambda _m: None)
    finally:
        viewer_stop.set()
        if service is not None:
            service.close()
    return {"mode": mode, "frames": stats.frames, "fps": stats.fps,
            "hand_off_us": [round(t * 1e6, 1) for t in hand_off_s],
            "hand_off_cpu_us": [round(t * 1e6, 1) for t in hand_off_cpu_s]}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--data-dir")
    p.add_argument("--rounds", type=int, default=24)
    p.add_argument("--frames", type=int, default=60, help="frames per run")
    args = p.parse_args()
    test = load_split("t10k", args.data_dir)
    scene = DemoScene(test.images, test.labels, frame_wh=(640, 480), frames_per_page=8, seed=7)
    it = scene.frames()
    frames = [next(it) for _ in range(64)]  # 8 pages: the reading changes every 8 frames, as MQTT sees it
    reader = DigitReader(DigitClassifier(None))
    source = LoopedFrames(frames, args.frames)
    run(LoopedFrames(frames, 20), reader, say=lambda _m: None)  # warm-up
    load_start = os.getloadavg()

    import paho.mqtt.client as mqtt

    with tempfile.TemporaryDirectory() as folder:
        broker, port = start_broker(folder)
        received = []
        sub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        sub.on_message = lambda _c, _u, m: received.append(m.topic)
        sub.on_connect = lambda c, *_: c.subscribe(f"bench/{DEVICE}/state", qos=1)
        sub.connect("127.0.0.1", port)
        sub.loop_start()
        runs = []
        try:
            for r in range(args.rounds):
                for mode in MODES[r % 4:] + MODES[:r % 4]:  # each mode goes first in a quarter of the rounds
                    row = {"round": r, **one_run(mode, source, reader, port)}
                    runs.append(row)
                    print(json.dumps(row), flush=True)
            time.sleep(1)
        finally:
            sub.disconnect()
            sub.loop_stop()
            broker.terminate()
            broker.wait()
    fps = {m: [x["fps"] for x in runs if x["mode"] == m] for m in MODES}
    median = {m: statistics.median(v) for m, v in fps.items()}
    paired = [on / off for off, on in zip(fps["off"], fps["on"])]
    calls = sorted(t for x in runs if x["mode"] == "on" for t in x["hand_off_us"])
    cpu = sorted(t for x in runs if x["mode"] == "on" for t in x["hand_off_cpu_us"])
    hand_off, hand_off_p99, hand_off_max = statistics.median(calls), calls[int(0.99 * len(calls))], calls[-1]
    control = [statistics.median(t for x in runs if x["mode"] == "control" for t in x[k])
               for k in ("hand_off_us", "hand_off_cpu_us")]
    for x in runs:  # per run, the file keeps medians, not every call
        times = x.pop("hand_off_us"), x.pop("hand_off_cpu_us")
        x["hand_off_us_median"], x["hand_off_cpu_us_median"] = [statistics.median(t) if t else None for t in times]
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}"
    load = os.getloadavg()
    report = {
        "machine": machine, "load_average_at_end": [round(x, 2) for x in load],
        "frames_per_run": args.frames, "rounds": args.rounds, "resolution": "640x480",
        "median_fps": {m: round(v, 2) for m, v in median.items()},
        "on_vs_off": round(median["on"] / median["off"], 4),
        "on_vs_off_paired_median": round(statistics.median(paired), 4),
        "watched_vs_off": round(median["watched"] / median["off"], 4),
        "load_average_at_start": [round(x, 2) for x in load_start],
        "hand_off_us_on": {"median": round(hand_off, 1), "p99": round(hand_off_p99, 1), "max": round(hand_off_max, 1),
                           "cpu_median": round(statistics.median(cpu), 1), "cpu_max": round(cpu[-1], 1),
                           "calls": len(calls)},
        "control_us": {"median": round(control[0], 1), "cpu_median": round(control[1], 1)},
        "control_vs_off": round(median["control"] / median["off"], 4),
        "mqtt_state_messages_received": len(received),
        "runs": runs,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "service.json").write_text(json.dumps(report, indent=2))
    md = ["# device service overhead on the camera loop\n",
          f"machine: {machine}; load average {load_start[0]:.1f} at the start, "
          f"{load[0]:.1f} at the end (other work on the machine counts in it); "
          f"process niceness {os.nice(0)}.\n",
          f"The real loop (`edge.cli.run`, smoothing on) over {args.frames} pre-rendered 640x480 demo frames per run, "
          f"{args.rounds} rounds of off / on / watched / control in turn (rotating which goes first); medians over rounds.\n",
          "| mode | median frames/s | vs off |", "|---|---|---|",
          f"| off: no service | {median['off']:.1f} | |",
          f"| on: web server + MQTT, nobody watching | {median['on']:.1f} | {median['on'] / median['off']:.1%} "
          f"(per-round median {statistics.median(paired):.1%}) |",
          f"| watched: one viewer on the MJPEG stream | {median['watched']:.1f} | {median['watched'] / median['off']:.1%} |",
          f"| control: ~100 µs of plain Python a frame in the service's place | {median['control']:.1f} | {median['control'] / median['off']:.1%} |",
          f"\nThe loop's hand-off to the service (`on_frame`: newest frame for the servers, metrics, MQTT "
          f"queueing), nobody watching, over {len(calls)} frames: median {hand_off:.0f} µs, 99th percentile "
          f"{hand_off_p99:.0f} µs, max {hand_off_max / 1000:.1f} ms of wall time; the thread's own CPU time in it: "
          f"median {statistics.median(cpu):.0f} µs, max {cpu[-1] / 1000:.1f} ms (the rest of a long call is time the "
          f"loaded machine did not run the thread). Control: ~100 µs of plain Python in the same place "
          f"takes a median {control[0]:.0f} µs of wall time for {control[1]:.0f} µs of CPU.\n",
          f"MQTT: {len(received)} state messages reached the subscriber (changed readings only).\n"]
    (RESULTS / "service.md").write_text("\n".join(md))
    print("\n".join(md))


if __name__ == "__main__":
    main()
