"""Readings to an MQTT broker: retained state (QoS 1), availability with a last will, and
Home Assistant discovery, under topics that carry the device id so a fleet shares one broker:

    <prefix>/<device id>/state          the --json object of each changed reading (retained)
    <prefix>/<device id>/availability   "online" / "offline" (retained; "offline" is the last will)
    <discovery>/sensor/<device id>/reading/config   Home Assistant's sensor (retained)

paho-mqtt's own network thread connects, reconnects with backoff (1 s doubling to 30 s) and
sends; the camera loop only queues a message when the reading changed, and skips it while the
broker is away (on reconnect the newest reading is sent, so a broker restart loses nothing
that matters: the state is retained, the rest were old readings).
"""

from __future__ import annotations

import json
import ssl
import threading

import paho.mqtt.client as mqtt

from edge import __version__
from edge.errors import UserError
from edge.reader import ReadResult
from edge.service.flags import MqttTarget

KEEPALIVE_S = 30
RECONNECT_MIN_S, RECONNECT_MAX_S = 1, 30
MAX_QUEUED = 16  # messages paho holds for a broker that went away mid-send; the newest matters


def discovery_config(prefix: str, device_id: str, state_topic: str, availability_topic: str) -> dict:
    """Home Assistant MQTT discovery for one sensor whose state is the lines read, joined."""
    return {
        "name": "Reading",
        "unique_id": f"edge_digits_{device_id}_reading",
        "object_id": f"edge_digits_{device_id}_reading",
        "state_topic": state_topic,
        "value_template": "{{ value_json.lines | join(' / ') }}",
        "json_attributes_topic": state_topic,
        "json_attributes_template": "{{ {'lines': value_json.lines, 'digits': value_json.digits, "
                                    "'frame': value_json.frame} | tojson }}",
        "availability_topic": availability_topic,
        "icon": "mdi:numeric",
        "device": {"identifiers": [f"edge_digits_{device_id}"], "name": f"edge-digits {device_id}",
                   "model": "edge-digits reader", "sw_version": __version__},
    }


class MqttPublisher:
    def __init__(self, target: MqttTarget, device_id: str, *, discovery_prefix: str = "homeassistant",
                 ca: str | None = None, cert: str | None = None, key: str | None = None, say=print) -> None:
        self.target, self.device_id, self.say = target, device_id, say
        base = f"{target.prefix}/{device_id}"
        self.state_topic, self.availability_topic = f"{base}/state", f"{base}/availability"
        self.discovery_topic = (None if discovery_prefix.lower() in ("", "off", "none")
                                else f"{discovery_prefix.strip('/')}/sensor/{device_id}/reading/config")
        self.connected = False
        self._lock = threading.Lock()  # orders the loop's publish against on_connect's republish
        self._latest: ReadResult | None = None
        self._sent_lines: list[str] | None = None
        self._warned_down = False
        c = self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"edge-digits-{device_id}")
        if target.username:
            c.username_pw_set(target.username, target.password)
        if target.tls:
            try:
                c.tls_set(ca_certs=ca, certfile=cert, keyfile=key, cert_reqs=ssl.CERT_REQUIRED)
            except (OSError, ssl.SSLError) as err:
                raise UserError(f"--mqtt-ca/--mqtt-cert/--mqtt-key: cannot load them ({err})") from None
        elif ca or cert or key:
            raise UserError("--mqtt-ca/--mqtt-cert/--mqtt-key need TLS: write the broker as mqtts://host[:8883]")
        c.will_set(self.availability_topic, "offline", qos=1, retain=True)
        c.reconnect_delay_set(RECONNECT_MIN_S, RECONNECT_MAX_S)
        c.max_queued_messages_set(MAX_QUEUED)
        c.on_connect, c.on_disconnect, c.on_connect_fail = self._on_connect, self._on_disconnect, self._on_connect_fail

    def start(self) -> None:
        """Connect in the background: an unreachable broker is a warning, never a stop."""
        self.client.connect_async(self.target.host, self.target.port, keepalive=KEEPALIVE_S)
        self.client.loop_start()

    # --- paho's network thread ---
    def _on_connect(self, client, _userdata, _flags, reason, _properties) -> None:
        if reason.is_failure:
            self._warn_down(f"MQTT broker {self.target} refused the connection ({reason}); "
                            "check the user and password in --mqtt; retrying")
            return
        with self._lock:
            self.connected, self._warned_down = True, False
            if self.discovery_topic:
                config = discovery_config(self.target.prefix, self.device_id, self.state_topic, self.availability_topic)
                client.publish(self.discovery_topic, json.dumps(config), qos=1, retain=True)
            client.publish(self.availability_topic, "online", qos=1, retain=True)
            if self._latest is not None:  # whatever was read while the broker was away
                self._send(self._latest)
        self.say(f"edge-run: MQTT connected to {self.target}, publishing {self.state_topic}")

    def _on_disconnect(self, _client, _userdata, _flags, reason, _properties) -> None:
        with self._lock:
            was, self.connected = self.connected, False
        if was and not self._closing:
            self._warn_down(f"MQTT broker {self.target} went away ({reason}); reconnecting with backoff, "
                            "readings go on")

    def _on_connect_fail(self, _client, _userdata) -> None:
        self._warn_down(f"MQTT broker {self.target} unreachable; retrying in the background "
                        f"(every {RECONNECT_MIN_S} s doubling to {RECONNECT_MAX_S} s), readings go on")

    def _warn_down(self, message: str) -> None:
        if not self._warned_down:  # once per outage, not once per retry
            self._warned_down = True
            self.say(f"edge-run: warning: {message}")

    # --- the camera loop ---
    _closing = False

    def put(self, result: ReadResult) -> None:
        """Queue the reading if it changed; returns at once (paho's thread does the sending)."""
        with self._lock:
            self._latest = result
            if self.connected and result.lines != self._sent_lines:
                self._send(result)

    def _send(self, result: ReadResult) -> None:
        info = self.client.publish(self.state_topic, json.dumps(result.as_json()), qos=1, retain=True)
        if info.rc == mqtt.MQTT_ERR_SUCCESS:
            self._sent_lines = list(result.lines)

    def close(self, timeout: float = 2.0) -> None:
        """Say "offline" ourselves (the will is for a death), then disconnect."""
        self._closing = True
        if self.connected:
            info = self.client.publish(self.availability_topic, "offline", qos=1, retain=True)
            try:
                info.wait_for_publish(timeout)
            except (RuntimeError, ValueError):
                pass  # the broker left while we were closing; the will says offline for us
        self.client.disconnect()
        self.client.loop_stop()
