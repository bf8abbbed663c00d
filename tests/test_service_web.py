"""edge-run --serve for real: the page in headless Chromium shows what /api/reading says and a
picture that moves; tokens guard every route; /metrics parses as Prometheus text; a port in use
is one line and exit 2."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from argparse import Namespace

import cv2
from browser import chromium
from edge_fixtures import model_path, synth_frames
from selenium.webdriver.common.by import By
from service_fixtures import EdgeRun, wait_for

from edge.cameras import Camera
from edge.cli import run
from edge.reader import DigitReader
from edge.runtime.interpreter import DigitClassifier
from edge.service.device import start_service
from edge.service.flags import serve_address

TOKEN = "correct-horse-battery"


def _get(url: str, headers: dict | None = None) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def _ended(base: str, query: str = "") -> bool:
    return json.loads(_get(base + "api/health" + query)[1])["status"] == "ended"


def _pages(tmp_path, n: int = 3):
    for i, frame in enumerate(synth_frames(n, seed=20)):
        cv2.imwrite(str(tmp_path / f"page{i}.png"), frame.image)
    return tmp_path


def test_the_page_shows_the_api_reading_and_a_moving_picture(tmp_path):
    with chromium() as driver:  # the browser first: the page is open before the first frame
        with EdgeRun.demo("--serve", "127.0.0.1:0", "--max-frames", "60", save_dir=tmp_path / "f") as run:
            base = run.url()
            driver.get(base)
            picture = driver.find_element(By.ID, "picture")
            wait_for(lambda: driver.execute_script("return arguments[0].naturalWidth", picture) > 0, "a first picture")
            first = picture.screenshot_as_png
            wait_for(lambda: picture.screenshot_as_png != first, "the picture to change")
            # once the demo ends the reading stands still: the page must then say what the API says
            wait_for(lambda: driver.find_element(By.ID, "status").text.startswith("source ended"), "the end")
            status, body = _get(base + "api/reading")
            reading = json.loads(body)
            wait_for(lambda: driver.find_element(By.ID, "frame").text == str(reading["frame"]), "the last frame")
            assert status == 200 and reading["frame"] == 59
            lines, rows = driver.execute_script(  # what the page shows, read in one go
                "return [[...document.querySelectorAll('#lines .line')].map(e => e.innerText),"
                "        [...document.querySelectorAll('#digits tr')].map(tr => [...tr.cells].map(td => td.innerText))]")
            assert lines == reading["lines"] and lines
            assert [int(r[0]) for r in rows] == [d["value"] for d in reading["digits"]]
            assert all(abs(float(r[1]) - d["confidence"]) <= 0.005 + 1e-9 for r, d in zip(rows, reading["digits"]))
            assert [r[2] for r in rows] == [", ".join(map(str, d["box"])) for d in reading["digits"]]
            assert run.stop() == 0
    assert "Traceback" not in run.stderr()


def test_a_token_guards_every_route(tmp_path):
    with EdgeRun("--source", str(_pages(tmp_path, 1)), "--json", "--serve", "127.0.0.1:0",
                 "--serve-token", TOKEN) as run:
        base = run.url()
        wait_for(lambda: _ended(base, f"?token={TOKEN}"), "the page read")
        for route in ("", "app.js", "api/reading", "api/health", "metrics", "events", "stream.mjpg"):
            assert _get(base + route)[0] == 401, route
            assert _get(base + route + "?token=wrong")[0] == 401, route
            assert _get(base + route, {"Authorization": "Bearer wrong"})[0] == 401, route
        assert _get(base + "api/reading", {"Authorization": f"Bearer {TOKEN}"})[0] == 200
        status, body = _get(base + f"api/reading?token={TOKEN}")
        assert status == 200 and json.loads(body) == run.readings()[-1]  # the --json object, exactly
        assert run.stop() == 0


def test_any_address_but_loopback_needs_a_token(tmp_path):
    page = str(_pages(tmp_path, 1) / "page0.png")
    with EdgeRun("--source", page, "--serve", "0.0.0.0:0") as run:
        assert run.proc.wait(60) == 2
    assert run.stderr().count("\n") == 1 and "--serve-token" in run.stderr()
    with EdgeRun("--source", page, "--json", "--serve", "0.0.0.0:0", "--serve-token", TOKEN) as run:
        base = run.url().replace("0.0.0.0", "127.0.0.1")
        wait_for(lambda: _ended(base, f"?token={TOKEN}"), "the page read")
        assert _get(base + "api/reading")[0] == 401
        assert run.stop() == 0


def test_a_port_in_use_is_one_line_and_exit_2(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with EdgeRun("--source", str(_pages(tmp_path, 1)), "--serve", f"127.0.0.1:{port}") as run:
            assert run.proc.wait(60) == 2
    err = run.stderr()
    assert err.count("\n") == 1 and f"port {port} is in use" in err


def test_metrics_count_what_the_loop_read(tmp_path):
    from prometheus_client.parser import text_string_to_metric_families

    with EdgeRun("--source", str(_pages(tmp_path, 3)), "--json", "--serve", "127.0.0.1:0") as run:
        base = run.url()
        wait_for(lambda: _ended(base), "the three pages read")
        status, body = _get(base + "metrics")
        health = json.loads(_get(base + "api/health")[1])
        assert run.stop() == 0
    assert status == 200
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(body.decode()) for s in family.samples}
    readings = run.readings()
    assert samples[("edge_digits_frames_total", ())] == len(readings) == health["frames"] == 3
    assert samples[("edge_digits_digits_read_total", ())] == sum(len(r["digits"]) for r in readings) > 0
    assert ("edge_digits_rejects_total", ()) in samples
    assert samples[("edge_digits_camera_reconnects_total", ())] == 0
    assert samples[("edge_digits_mqtt_connected", ())] == 0  # no --mqtt
    assert samples[("edge_digits_frame_rate", ())] > 0
    for stage in ("decode", "segment", "classify", "group", "total"):
        assert samples[("edge_digits_stage_seconds_count", (("stage", stage),))] == 3
    total_s = samples[("edge_digits_stage_seconds_sum", (("stage", "total"),))]
    assert abs(total_s - sum(r["timing_ms"]["total"] for r in readings) / 1000) < 0.01


class _FlakyCapture:
    """A USB camera that gives three frames, then is unplugged (as in test_edge_reliability)."""

    def __init__(self, frames) -> None:
        self.frames, self.reads = frames, 0

    def read(self):
        self.reads += 1
        return (True, self.frames[self.reads % len(self.frames)]) if self.reads <= 3 else (False, None)

    def release(self) -> None:
        pass


def test_camera_reconnects_reach_metrics_and_health():
    frames = [f.image for f in synth_frames(2, seed=6)]
    camera = Camera("0", opener=lambda *_: _FlakyCapture(frames), sleep=lambda _s: None, report=lambda _m: None)
    args = Namespace(serve=serve_address("127.0.0.1:0"), serve_token=None, mqtt=None, device_id="cam-test")
    service = start_service(args, say=lambda _m: None)
    try:
        with camera:
            stats = run(camera, DigitReader(DigitClassifier(str(model_path()))), service=service, max_frames=8,
                        say=lambda _m: None)
        body = _get(service.web.url + "metrics")[1].decode()
        health = json.loads(_get(service.web.url + "api/health")[1])
    finally:
        service.close()
    assert stats.frames == 8 and camera.reconnects == 2
    assert "edge_digits_camera_reconnects_total 2.0" in body.splitlines()
    assert health["camera_reconnects"] == 2 and health["frames"] == 8
