"""edge-run's device-service flags, and the parsing of --serve and --mqtt values.

Standard library only: `edge-run --help` and the config file work without the [service] extra.
"""

from __future__ import annotations

import argparse
import ipaddress
import re
import socket
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

DEFAULT_SERVE = "127.0.0.1:8080"
DEFAULT_TOPIC_PREFIX = "edge-digits"
DEFAULT_DISCOVERY_PREFIX = "homeassistant"
MQTT_PORTS = {"mqtt": 1883, "mqtts": 8883}


@dataclass(frozen=True)
class ServeAddress:
    host: str
    port: int
    text: str  # as the user wrote it (--print-config writes it back)

    @property
    def loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False  # a host name: it may resolve to any interface

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


@dataclass(frozen=True)
class MqttTarget:
    host: str
    port: int
    tls: bool
    username: str | None
    password: str | None = field(repr=False)
    prefix: str  # topics are <prefix>/<device id>/...
    text: str = field(repr=False, default="")  # as the user wrote it, password included

    def __str__(self) -> str:  # never prints the password
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port}/{self.prefix}"


def serve_address(text: str) -> ServeAddress:
    """HOST:PORT, [IPv6]:PORT, or PORT alone (loopback); port 0 lets the system pick one."""
    host, sep, port = text.rpartition(":")
    if not sep:
        host, port = "127.0.0.1", text
    host = host.strip("[]") or "0.0.0.0"
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not HOST:PORT, e.g. 127.0.0.1:8080")
    return ServeAddress(host, int(port), text)


def mqtt_target(text: str) -> MqttTarget:
    """mqtt[s]://[user[:password]@]host[:port][/topic-prefix]"""
    parts = urlsplit(text)
    if parts.scheme not in MQTT_PORTS or not parts.hostname:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an MQTT URL: mqtt://[user:pass@]host[:port][/prefix] (mqtts:// for TLS)")
    try:
        port = parts.port or MQTT_PORTS[parts.scheme]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: the port is not a number from 1 to 65535") from None
    prefix = parts.path.strip("/") or DEFAULT_TOPIC_PREFIX
    if re.search(r"[+#\s]", prefix):
        raise argparse.ArgumentTypeError(f"{text!r}: the topic prefix may not hold '+', '#' or spaces")
    return MqttTarget(parts.hostname, port, parts.scheme == "mqtts",
                      unquote(parts.username) if parts.username else None,
                      unquote(parts.password) if parts.password else None, prefix, text)


def device_id(text: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", text):
        raise argparse.ArgumentTypeError(f"{text!r}: use 1 to 64 letters, digits, '-' or '_' (it goes into MQTT topics)")
    return text


def default_device_id() -> str:
    """The host name, cut to what a topic level and a Home Assistant id accept."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", socket.gethostname())[:64] or "edge-digits"


def add_service_flags(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("device service (web preview, MQTT, metrics, config file)")
    g.add_argument("--config", metavar="FILE",
                   help="read flags from a TOML file: each key is a flag's long name (max-frames = 100); flags on the command line win")
    g.add_argument("--print-config", action="store_true", help="print the effective configuration as TOML and exit")
    g.add_argument("--serve", nargs="?", const=DEFAULT_SERVE, type=serve_address, metavar="HOST:PORT",
                   help=f"serve the live page, /api/reading, /api/health and /metrics (default {DEFAULT_SERVE}; "
                        "any address but loopback needs --serve-token)")
    g.add_argument("--serve-token", metavar="TOKEN",
                   help="every request must carry it: header 'Authorization: Bearer TOKEN' or ?token=TOKEN")
    g.add_argument("--mqtt", type=mqtt_target, metavar="URL",
                   help="publish readings to a broker: mqtt://[user:pass@]host[:port][/prefix] (mqtts:// for TLS)")
    g.add_argument("--mqtt-ca", metavar="FILE", help="CA certificate(s) that signed the broker's (TLS; default: the system's)")
    g.add_argument("--mqtt-cert", metavar="FILE", help="client certificate for TLS client authentication")
    g.add_argument("--mqtt-key", metavar="FILE", help="the client certificate's private key")
    g.add_argument("--device-id", type=device_id, metavar="ID",
                   help="this device's name in MQTT topics and Home Assistant (default: the host name)")
    g.add_argument("--discovery-prefix", default=DEFAULT_DISCOVERY_PREFIX, metavar="PREFIX",
                   help=f"Home Assistant MQTT discovery prefix (default {DEFAULT_DISCOVERY_PREFIX}; 'off' publishes no discovery)")
