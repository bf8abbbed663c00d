"""Prometheus metrics for /metrics, with the official client, in a registry of our own.

The loop's per-frame updates are a few counter and histogram increments (microseconds);
camera reconnects and the MQTT state are read when Prometheus scrapes, not per frame.
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily

from edge.reader import ReadResult

# seconds; a Pi reads a frame in tens of milliseconds, a desktop in a few
STAGE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class _ReconnectCount:
    """Camera reconnects as a counter, read from the camera's own tally at scrape time."""

    def __init__(self, count: Callable[[], int]) -> None:
        self.count = count

    def collect(self):
        yield CounterMetricFamily("edge_digits_camera_reconnects", "Times the camera was lost and opened again",
                                  value=self.count())


class LoopMetrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self, *, reconnects: Callable[[], int], mqtt_connected: Callable[[], bool]) -> None:
        self.registry = r = CollectorRegistry()
        self.frames = Counter("edge_digits_frames", "Frames read", registry=r)
        self.frame_rate = Gauge("edge_digits_frame_rate", "Frames per second, smoothed over the last frames", registry=r)
        self.stage = Histogram("edge_digits_stage_seconds", "Time per frame in each reading stage", ["stage"],
                               buckets=STAGE_BUCKETS, registry=r)
        self.digits = Counter("edge_digits_digits_read", "Digits accepted (confidence at or above the threshold)", registry=r)
        self.rejects = Counter("edge_digits_rejects", "Blobs rejected as not a digit or below the confidence threshold",
                               registry=r)
        mqtt = Gauge("edge_digits_mqtt_connected", "1 while connected to the MQTT broker, else 0", registry=r)
        mqtt.set_function(lambda: 1.0 if mqtt_connected() else 0.0)
        r.register(_ReconnectCount(reconnects))

    def observe(self, result: ReadResult, fps: float | None) -> None:
        self.frames.inc()
        if fps is not None:
            self.frame_rate.set(fps)
        for stage, ms in result.timing_ms.items():
            self.stage.labels(stage).observe(ms / 1000.0)
        self.digits.inc(len(result.digits))
        self.rejects.inc(len(result.rejected))

    def scrape(self) -> bytes:
        return generate_latest(self.registry)
