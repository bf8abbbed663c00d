"""edge-run --mqtt against a real mosquitto: retained QoS 1 readings, availability with a last
will, Home Assistant discovery, device ids in topics, and a broker that dies and comes back."""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.request

import pytest
from service_fixtures import Broker, EdgeRun, Subscriber, free_port, wait_for

DEVICE = "shelf-pi"


def _states(sub: Subscriber, prefix: str = "edge") -> list[dict]:
    return [json.loads(p) for p in sub.on(f"{prefix}/{DEVICE}/state")]


def _mqtt_state(base: str) -> str:
    with urllib.request.urlopen(base + "api/health", timeout=30) as r:
        return json.loads(r.read())["mqtt"]


def _metrics(base: str) -> list[str]:
    with urllib.request.urlopen(base + "metrics", timeout=30) as r:
        return r.read().decode().splitlines()


def test_readings_are_retained_qos1_and_resume_after_the_broker_restarts(tmp_path):
    with Broker(tmp_path) as broker, EdgeRun.demo("--mqtt", f"mqtt://127.0.0.1:{broker.port}/edge", "--device-id", DEVICE,
                                                   "--serve", "127.0.0.1:0", save_dir=tmp_path / "frames") as run:
        base = run.url()
        with Subscriber(broker.port, ["edge/#", "homeassistant/#"]) as sub:
            wait_for(lambda: len(_states(sub)) >= 3, "three readings on the broker")
            assert _mqtt_state(base) == "connected" and "edge_digits_mqtt_connected 1.0" in _metrics(base)
            assert sub.on(f"edge/{DEVICE}/availability")[-1] == "online"
            (discovery,) = {p for p in sub.on(f"homeassistant/sensor/{DEVICE}/reading/config")}
            config = json.loads(discovery)
            assert config["state_topic"] == f"edge/{DEVICE}/state"
            assert config["availability_topic"] == f"edge/{DEVICE}/availability"
            assert DEVICE in config["unique_id"] and config["device"]["identifiers"]
            states = _states(sub)
            # each message is the very --json object of a frame, and only changed readings are sent
            printed = wait_for(lambda: (lambda p: p if all(s["frame"] in p for s in states[:3]) else None)(
                {r["frame"]: r for r in run.readings()}), "the same frames on stdout")
            assert all(printed[s["frame"]] == s for s in states[:3])
            assert all(a["lines"] != b["lines"] for a, b in zip(states, states[1:]))
        with Subscriber(broker.port, [f"edge/{DEVICE}/state"]) as late:  # a late subscriber gets the retained state
            wait_for(lambda: late.messages, "the retained state")
            _topic, _payload, retained, qos = late.messages[0]
            assert retained and qos == 1

        broker.kill()
        wait_for(lambda: _mqtt_state(base) == "disconnected", "health to see the broker gone")
        assert "edge_digits_mqtt_connected 0.0" in _metrics(base)
        before = len(run.readings())
        wait_for(lambda: len(run.readings()) >= before + 5, "the loop to go on reading without a broker")
        last_before_restart = run.readings()[-1]["frame"]
        broker.start()  # same port, an empty broker: nothing retained survives the restart
        with Subscriber(broker.port, ["edge/#"]) as sub:
            wait_for(lambda: any(s["frame"] > last_before_restart for s in _states(sub)), "readings after the restart")
            wait_for(lambda: "online" in sub.on(f"edge/{DEVICE}/availability"), "online after the restart")
            assert _mqtt_state(base) == "connected"
            assert run.proc.poll() is None  # nothing crashed
            assert run.stop() == 0
            wait_for(lambda: sub.on(f"edge/{DEVICE}/availability")[-1:] == ["offline"], "offline on a clean stop")
    err = run.stderr()
    assert "went away" in err and "MQTT connected" in err and "Traceback" not in err


def test_the_last_will_says_offline_when_the_reader_dies(tmp_path):
    with Broker(tmp_path) as broker, EdgeRun.demo("--mqtt", f"mqtt://127.0.0.1:{broker.port}/edge", "--device-id", DEVICE,
                                                   "--discovery-prefix", "off", save_dir=tmp_path / "frames") as run:
        with Subscriber(broker.port, ["#"]) as sub:
            wait_for(lambda: sub.on(f"edge/{DEVICE}/availability")[-1:] == ["online"], "online")
            run.proc.kill()  # no clean goodbye: the broker publishes the will
            wait_for(lambda: sub.on(f"edge/{DEVICE}/availability")[-1:] == ["offline"], "the last will")
            assert not any(t.startswith("homeassistant/") for t, *_ in sub.messages)  # discovery off


def test_an_unreachable_broker_at_start_is_a_warning_and_the_loop_reads_on(tmp_path):
    port = free_port()  # nothing listens here yet
    with EdgeRun.demo("--mqtt", f"mqtt://127.0.0.1:{port}/edge", "--device-id", DEVICE, save_dir=tmp_path / "f") as run:
        wait_for(lambda: "unreachable" in run.stderr(), "the warning")
        count = len(run.readings())
        wait_for(lambda: len(run.readings()) >= count + 5, "readings while the broker is away")
        with Broker(tmp_path, port) as _broker, Subscriber(port, ["edge/#"]) as sub:
            wait_for(lambda: _states(sub), "readings once the broker is there (retried with backoff)")
            assert run.stop() == 0
    warnings = [line for line in run.stderr().splitlines() if "warning" in line]
    assert len(warnings) == 1, warnings  # one line per outage, not one per retry


def test_user_and_password_from_the_url_are_used_and_a_wrong_one_is_a_warning(tmp_path):
    if not shutil.which("mosquitto_passwd"):
        pytest.fail("mosquitto_passwd missing: apt-get install mosquitto (.ci/run does)")
    passwords = tmp_path / "passwd"
    subprocess.run(["mosquitto_passwd", "-b", "-c", str(passwords), "meter", "s3cret word"], check=True)
    passwords.chmod(0o600)
    auth = f"allow_anonymous false\npassword_file {passwords}\n"
    with Broker(tmp_path, extra=auth) as broker:
        with EdgeRun.demo("--mqtt", f"mqtt://meter:wrong@127.0.0.1:{broker.port}/edge", "--device-id", DEVICE,
                          save_dir=tmp_path / "a") as wrong:
            wait_for(lambda: "refused" in wrong.stderr(), "the refusal warning")
            count = len(wrong.readings())
            wait_for(lambda: len(wrong.readings()) >= count + 3, "readings despite the refusal")
            assert wrong.stop() == 0
        with EdgeRun.demo("--mqtt", f"mqtt://meter:s3cret%20word@127.0.0.1:{broker.port}/edge", "--device-id", DEVICE,
                          save_dir=tmp_path / "b") as right, Subscriber(broker.port, ["edge/#"], ("meter", "s3cret word")) as sub:
            wait_for(lambda: _states(sub), "a reading through the password-protected broker")
            assert right.stop() == 0
    assert "Traceback" not in wrong.stderr() + right.stderr()


def test_tls_with_a_self_signed_broker_certificate(tmp_path):
    if not shutil.which("openssl"):
        pytest.fail("openssl missing: apt-get install openssl")
    cert, key = tmp_path / "broker.pem", tmp_path / "broker.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    tls = f"allow_anonymous true\ncafile {cert}\ncertfile {cert}\nkeyfile {key}\n"
    with Broker(tmp_path, extra=tls) as broker:
        with EdgeRun.demo("--mqtt", f"mqtts://127.0.0.1:{broker.port}/edge", "--mqtt-ca", str(cert), "--device-id", DEVICE,
                          save_dir=tmp_path / "f") as run, Subscriber(broker.port, ["edge/#"], ca_certs=str(cert)) as sub:
            wait_for(lambda: _states(sub), "a reading over TLS")
            assert run.stop() == 0
