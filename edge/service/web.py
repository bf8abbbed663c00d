"""The web preview on the standard library's ThreadingHTTPServer (one thread per client).

    /                the page: live annotated picture, lines and digits, frame rate, timings
    /stream.mjpg     the annotated frames as MJPEG (multipart/x-mixed-replace), for <img>
    /events          server-sent events: the newest reading, frame rate and state, as JSON
    /api/reading     the newest reading: exactly the object `edge-run --json` prints
    /api/health      {"status": ..., "frames": ..., ...}; 200 while frames come, else 503
    /metrics         Prometheus text format

With a token, every request must carry it (header `Authorization: Bearer TOKEN`, or
`?token=TOKEN` so the page's picture and event links can carry it); else 401.
"""

from __future__ import annotations

import errno
import hmac
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from urllib.parse import parse_qs, urlsplit

from edge.errors import UserError
from edge.service.flags import ServeAddress
from edge.service.hub import LatestFrame

STREAM_MAX_FPS = 15  # the picture for a person; more only costs the Pi JPEG encoding
EVENTS_MAX_PER_S = 10
STALE_AFTER_S = 10.0  # /api/health turns 503 when a live source gives no frame for this long
STATIC = {"/": ("index.html", "text/html; charset=utf-8"), "/app.js": ("app.js", "text/javascript; charset=utf-8")}


class ServiceState:
    """What the handlers read: the hub, the metrics, the token, the MQTT state."""

    def __init__(self, hub: LatestFrame, metrics, token: str | None, device_id: str, mqtt=None) -> None:
        self.hub, self.metrics, self.token, self.device_id, self.mqtt = hub, metrics, token, device_id, mqtt
        self.static = {path: resources.files("edge.service").joinpath("static", name).read_bytes()
                       for path, (name, _) in STATIC.items()}

    def mqtt_state(self) -> str:
        return "off" if self.mqtt is None else ("connected" if self.mqtt.connected else "disconnected")

    def status(self) -> dict:
        seq, _result, fps = self.hub.snapshot()
        since = time.monotonic() - (self.hub.updated if seq else self.hub.started)
        state = ("ended" if self.hub.source_ended else "waiting" if seq == 0
                 else "stale" if since > STALE_AFTER_S else "ok")
        return {"status": state, "device_id": self.device_id, "frames": seq, "fps": round(fps, 2),
                "seconds_since_frame": round(since, 2), "camera_reconnects": self.hub.reconnects,
                "mqtt": self.mqtt_state()}


class Handler(BaseHTTPRequestHandler):
    server_version = "edge-digits"
    protocol_version = "HTTP/1.1"
    state: ServiceState  # set on the subclass made per server

    def log_message(self, *_args) -> None:  # no line per request on the device's console
        return

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if not self._authorized(url):
            return self._send(401, b"401: missing or wrong token; send 'Authorization: Bearer TOKEN' or ?token=TOKEN\n",
                              "text/plain; charset=utf-8", {"WWW-Authenticate": 'Bearer realm="edge-digits"'})
        route = url.path
        if route in STATIC:
            return self._send(200, self.state.static[route], STATIC[route][1])
        if route == "/api/reading":
            _seq, result, _fps = self.state.hub.snapshot()
            if result is None:
                return self._json(503, {"error": "no frame read yet"})
            return self._json(200, result.as_json())
        if route == "/api/health":
            status = self.state.status()
            return self._json(200 if status["status"] in ("ok", "ended") else 503, status)
        if route == "/metrics":
            return self._send(200, self.state.metrics.scrape(), self.state.metrics.content_type)
        if route == "/stream.mjpg":
            return self._stream()
        if route == "/events":
            return self._events()
        return self._json(404, {"error": f"no such page: {route}"})

    def _authorized(self, url) -> bool:
        token = self.state.token
        if not token:
            return True
        header = self.headers.get("Authorization", "")
        given = header[7:] if header.startswith("Bearer ") else parse_qs(url.query).get("token", [""])[0]
        return hmac.compare_digest(given.encode(), token.encode())

    def _send(self, code: int, body: bytes, ctype: str, extra: dict | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, code: int, obj: dict) -> None:
        self._send(code, json.dumps(obj).encode(), "application/json")

    def _open_stream(self, ctype: str) -> None:
        self.close_connection = True  # a stream ends with its connection
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()

    def _frames(self, max_rate: float):
        """Yield each new frame's sequence number, at most max_rate a second, until the service closes."""
        hub, seq = self.state.hub, 0
        while not hub.closed:
            newest = hub.wait_newer(seq, timeout=1.0)
            if hub.closed:
                return
            if newest > seq:
                seq = newest
                yield seq
                time.sleep(1.0 / max_rate)
            elif hub.source_ended:
                yield seq  # keep-alive: lets a dead client's write fail and free this thread

    def _stream(self) -> None:
        boundary = "edgedigitsframe"
        self._open_stream(f"multipart/x-mixed-replace; boundary={boundary}")
        try:
            for _ in self._frames(STREAM_MAX_FPS):
                _seq, jpeg = self.state.hub.jpeg()
                if jpeg:
                    self.wfile.write(f"--{boundary}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(jpeg)}\r\n\r\n"
                                     .encode() + jpeg + b"\r\n")
                    self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the viewer closed the page

    def _events(self) -> None:
        self._open_stream("text/event-stream")
        try:
            for seq in self._frames(EVENTS_MAX_PER_S):
                _s, result, _fps = self.state.hub.snapshot()
                event = {"status": self.state.status(), "reading": result.as_json() if result else None, "seq": seq}
                self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a viewer's open stream never holds up shutdown


class WebServer:
    def __init__(self, address: ServeAddress, state: ServiceState) -> None:
        handler = type("BoundHandler", (Handler,), {"state": state})
        server_cls = type("Server6", (_Server,), {"address_family": socket.AF_INET6}) if ":" in address.host else _Server
        try:
            self.httpd = server_cls((address.host, address.port), handler)
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                raise UserError(f"--serve {address}: port {address.port} is in use (another edge-run?); "
                                "pick another port") from None
            if err.errno == errno.EACCES:
                raise UserError(f"--serve {address}: no permission for port {address.port}; use a port above 1023") from None
            raise UserError(f"--serve {address}: cannot listen there ({err.strerror})") from None
        host, port = self.httpd.server_address[:2]
        self.url = f"http://{f'[{host}]' if ':' in host else host}:{port}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.5},
                                       name="edge-web", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
