"""Where the loop's hand-off to the service spends wall time: frames whose reading changed (and
so queue an MQTT message, waking paho's network thread) against frames that did not, with the
web server alone, MQTT alone, and both. A real mosquitto is started on a free loopback port.

Writes bench/results/service_handoff.json and .md. Run (nice: the machine is shared):
    nice -n 10 python bench/service_handoff.py --data-dir ../shared/data/mnist [--frames 120]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from argparse import Namespace

from bench_service import RESULTS, LoopedFrames, start_broker

from edge.cli import run
from edge.demo.mnist import load_split
from edge.demo.synth import DemoScene
from edge.reader import DigitReader
from edge.runtime.interpreter import DigitClassifier
from edge.service.device import start_service
from edge.service.flags import mqtt_target, serve_address


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--data-dir")
    p.add_argument("--frames", type=int, default=120)
    args = p.parse_args()
    test = load_split("t10k", args.data_dir)
    it = DemoScene(test.images, test.labels, frame_wh=(640, 480), frames_per_page=8, seed=7).frames()
    frames = [next(it) for _ in range(64)]
    reader = DigitReader(DigitClassifier(None))
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        broker, port = start_broker(folder)
        try:
            for serve, mqtt in ((True, False), (False, True), (True, True)):
                ns = Namespace(serve=serve_address("127.0.0.1:0") if serve else None, serve_token=None, device_id="probe",
                               mqtt=mqtt_target(f"mqtt://127.0.0.1:{port}/bench") if mqtt else None, mqtt_ca=None,
                               mqtt_cert=None, mqtt_key=None, discovery_prefix="homeassistant")
                service = start_service(ns, say=lambda _m: None)
                time.sleep(1.0)
                queued, other = [], []
                inner = service.on_frame

                def timed(*a, service=service, inner=inner, queued=queued, other=other):
                    before = service.mqtt._sent_lines if service.mqtt else None
                    t0 = time.perf_counter()
                    inner(*a)
                    wall = (time.perf_counter() - t0) * 1e6
                    (queued if service.mqtt and service.mqtt._sent_lines is not before else other).append(wall)

                service.on_frame = timed
                run(LoopedFrames(frames, args.frames), reader, service=service, say=lambda _m: None)
                service.close()
                row = {"serve": serve, "mqtt": mqtt, "frames_queueing_mqtt": len(queued),
                       "median_us_queueing_mqtt": round(statistics.median(queued), 1) if queued else None,
                       "frames_other": len(other), "median_us_other": round(statistics.median(other), 1)}
                rows.append(row)
                print(json.dumps(row), flush=True)
        finally:
            broker.terminate()
            broker.wait()
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}"
    load = os.getloadavg()
    (RESULTS / "service_handoff.json").write_text(json.dumps({"machine": machine, "load_average": load, "rows": rows},
                                                             indent=2))
    md = ["# where the service hand-off spends wall time\n",
          f"machine: {machine}; shared with other work (load average {load[0]:.1f}), run under `nice -n 10`; "
          f"{args.frames} frames per row.\n",
          "| web server | MQTT | frames queueing an MQTT message | their median µs | other frames | their median µs |",
          "|---|---|---|---|---|---|"]
    for r in rows:
        md.append(f"| {'on' if r['serve'] else 'off'} | {'on' if r['mqtt'] else 'off'} | {r['frames_queueing_mqtt']} | "
                  f"{r['median_us_queueing_mqtt'] or '-'} | {r['frames_other']} | {r['median_us_other']} |")
    (RESULTS / "service_handoff.md").write_text("\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    main()
