"""The device service around the camera loop: web preview + metrics and/or MQTT.

The loop makes one call per frame, `on_frame`, which hands the frame over (LatestFrame),
counts it for Prometheus and queues a changed reading for MQTT; nothing in it waits on a
client or the network.
"""

from __future__ import annotations

import time

from edge.errors import UserError
from edge.service.flags import default_device_id
from edge.service.hub import LatestFrame

EXTRA_HINT = "pip install 'edge-digits[service]'"


def _require(module: str, flag: str) -> None:
    import importlib

    try:
        importlib.import_module(module)
    except ImportError:
        raise UserError(f"{flag} needs the service extra ({module} is not installed): {EXTRA_HINT}") from None


class DeviceService:
    def __init__(self, args, say=print) -> None:
        self.say = say
        self.hub = LatestFrame()
        self.device_id = args.device_id or default_device_id()
        self.web = self.mqtt = self.metrics = None
        if args.serve is not None:
            _require("prometheus_client", "--serve")
            if not args.serve.loopback and not args.serve_token:
                raise UserError(f"--serve {args.serve} listens beyond this machine: set a token with --serve-token "
                                "(or serve-token in the config file), or serve on 127.0.0.1")
        if args.mqtt is not None:
            _require("paho", "--mqtt")
            from edge.service.mqtt import MqttPublisher

            self.mqtt = MqttPublisher(args.mqtt, self.device_id, discovery_prefix=args.discovery_prefix,
                                      ca=args.mqtt_ca, cert=args.mqtt_cert, key=args.mqtt_key, say=say)
        if args.serve is not None:
            from edge.service.metrics import LoopMetrics
            from edge.service.web import ServiceState, WebServer

            self.metrics = LoopMetrics(reconnects=lambda: self.hub.reconnects,
                                       mqtt_connected=lambda: bool(self.mqtt and self.mqtt.connected))
            state = ServiceState(self.hub, self.metrics, args.serve_token, self.device_id, self.mqtt)
            self.web = WebServer(args.serve, state)  # a port in use fails here, before the camera opens

    def start(self) -> None:
        if self.web is not None:
            self.web.start()
            self.say(f"edge-run: serving {self.web.url} (page, /api/reading, /api/health, /metrics)")
        if self.mqtt is not None:
            self.mqtt.start()

    def on_frame(self, frame, result, fps: float | None, reconnects: int = 0) -> None:
        """The camera loop's one call per frame: hand over, count, queue; never waits."""
        self.hub.put(frame.image, result, fps, reconnects)
        if self.metrics is not None:
            self.metrics.observe(result, fps)
        if self.mqtt is not None:
            self.mqtt.put(result)

    def hold(self, stop) -> None:
        """After a finite source ends, keep the page up (last frame and reading) until a signal."""
        self.hub.end()
        if self.web is None or stop():
            return
        self.say(f"edge-run: the source ended; {self.web.url} stays up with the last frame until Ctrl-C")
        while not stop():
            time.sleep(0.2)

    def close(self) -> None:
        self.hub.end(closed=True)
        if self.mqtt is not None:
            self.mqtt.close()
        if self.web is not None:
            self.web.close()


def start_service(args, say=print) -> DeviceService | None:
    """The service the flags ask for, started; None without --serve and --mqtt."""
    if args.serve is None and args.mqtt is None:
        return None
    service = DeviceService(args, say)
    service.start()
    return service
