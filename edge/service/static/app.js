// The page follows /events (server-sent events) and shows the MJPEG stream; the token, if the
// page was opened with ?token=..., rides along on every link it makes.
"use strict";
const token = new URLSearchParams(location.search).get("token");
const withToken = (path) => (token ? `${path}?token=${encodeURIComponent(token)}` : path);
const $ = (id) => document.getElementById(id);

$("picture").src = withToken("stream.mjpg");
for (const a of document.querySelectorAll("a")) a.href = withToken(a.getAttribute("href"));

let shownSeq = -1;  // the same frame again (a keep-alive) is not drawn again

function show(event) {
  const s = event.status, r = event.reading;
  $("device").textContent = s.device_id;
  $("status").textContent = { ok: "live", ended: "source ended", waiting: "waiting for the first frame",
                              stale: "no frames: camera lost?" }[s.status] + ` · MQTT ${s.mqtt}`;
  $("fps").textContent = s.fps.toFixed(1);
  if (!r || event.seq === shownSeq) return;
  shownSeq = event.seq;
  $("frame").textContent = r.frame;
  $("source").textContent = r.source;
  $("lines").replaceChildren(...r.lines.map((text) => {
    const div = document.createElement("div");
    div.className = "line";
    div.textContent = text;
    return div;
  }));
  $("digits").replaceChildren(...r.digits.map((d) => {
    const tr = document.createElement("tr");
    for (const text of [d.value, d.confidence.toFixed(2), d.box.join(", ")]) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    }
    return tr;
  }));
  $("timing").textContent = Object.entries(r.timing_ms).map(([k, v]) => `${k} ${v.toFixed(1)} ms`).join(" · ");
}

const events = new EventSource(withToken("events"));
events.onmessage = (m) => show(JSON.parse(m.data));
events.onerror = () => { $("status").textContent = "connection lost; retrying…"; };
