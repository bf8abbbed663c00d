"""The reader as a device service: web preview, MQTT with Home Assistant discovery, Prometheus
metrics, and a TOML config file for running on boot.

Importing this package needs only the standard library: paho-mqtt and prometheus-client (the
[service] extra) are imported when --mqtt or --serve asks for them.
"""

from edge.service.config import parse_args
from edge.service.device import DeviceService, start_service
from edge.service.flags import add_service_flags

__all__ = ["DeviceService", "add_service_flags", "parse_args", "start_service"]
