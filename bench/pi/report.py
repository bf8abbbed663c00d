"""bench/results/pi_arm64.{json,md}: what the arm64 emulation check found, for people and for diffing."""

from __future__ import annotations

import json
from pathlib import Path

NOTE = """Why boxes and confidences may differ while the readings agree: on identical pixels (the PNG
frames) `bench/pi/stage_hashes.py` finds the grey frame (JPEG decoding included) and the int8
scores of a fixed input bit-identical on arm64 and x86, and the first difference in the ink map:
OpenCV's `resize` INTER_LINEAR (the paper background upscaled, +-1 on about 6.5% of its pixels) and
`divide(..., scale=255)` round differently in their NEON and AVX kernels, and `resize` INTER_AREA
(shrinking a crop in `normalize_crop`) does too. A crop that differs by a few grey levels moves a
score by an int8 step or more, or a box edge by a pixel. The demo's frames are drawn on each machine
(perspective, blur, noise through OpenCV too), so its boxes move further than those read from files."""


def _rate(reading: dict | None, seconds: float | None, frames: int) -> str:
    if not reading:
        return "n/a"
    text = f"{reading['fps']:.3g} frames/s reading ({reading['median_ms']:,.1f} ms a frame, median)"
    if seconds:
        text += f"; the whole command, start-up included: {seconds:.0f} s for {frames} frames"
    return text


def markdown(report: dict) -> str:
    versions = report.get("root_versions") or {}
    packages = versions.get("packages") or {}
    md = ["# edge-digits on arm64 under qemu (a Pi without a Pi)", "",
          f"Written by `{report['command']}` on {report['host']} (2 cores shared with other work), "
          f"commit {report['commit']}; {report['qemu']}.", "",
          f"**All steps passed: {'yes' if report['all_passed'] else 'NO'}**; whole run "
          f"{report['total_seconds']:.0f} s ({'root made now' if report.get('root_made_now') else 'root reused'}).", ""]
    if versions:
        md += [f"Inside the root: Debian {versions['debian']} {versions['machine']}, Python {versions['python']}, "
               f"{versions['libc']}, TFLite runtime `{versions['tflite_runtime']}`; "
               + ", ".join(f"{k} {v}" for k, v in packages.items()) + ".", ""]
    if "install_seconds" in report:
        md += [f"Install (`{report['install_command']}`, emulated): {report['install_seconds']:.0f} s, "
               f"pip cache {'warm' if report['pip_cache_warm'] else 'cold (every wheel downloaded)'}.", ""]
    md += ["| step | result | seconds | detail |", "|---|---|---|---|"]
    md += [f"| {r['step']} | {'pass' if r['ok'] else '**FAIL**'} | {r['seconds']:.1f} | {r['detail']} |"
           for r in report["steps"]]
    md += ["", "## Readings, arm64 against x86 (same commit, same model, same frames)", "",
           "Readings identical means every frame's lines and every digit's value; boxes and confidences are",
           "compared too and their largest differences shown (OpenCV's arm64 and x86 kernels round a few",
           "operations differently, see the note below).", "",
           "| Pi model (QEMU_CPU) | run | frames compared | digits | readings identical | frames also exact in boxes and confidences | largest box shift (px) | largest confidence difference | demo score |",
           "|---|---|---|---|---|---|---|---|---|"]
    for name, entry in report["pis"].items():
        for kind in ("demo", "source"):
            if kind in entry:
                c = entry[kind]["comparison"]
                md.append(f"| {name} ({entry['qemu_cpu']}) | --{kind} | {c['frames_compared']} | {c['digits_compared']} | "
                          f"{'yes' if c['readings_identical'] else '**NO**'} | {c['frames_exact']}/{c['frames_compared']} | "
                          f"{c['max_box_shift_px']} | {c['max_confidence_diff']:.4f} | {entry[kind]['score'] or ''} |")
    x86_demo = report["x86"].get("demo", {})
    md += ["", f"x86 demo score: {x86_demo.get('score') or 'n/a'}", ""]
    differences = [(n, k, d) for n, e in report["pis"].items() for k in ("demo", "source") if k in e
                   for d in e[k]["comparison"]["differences"][:3]]  # the first few per run; all in the JSON
    if differences:
        md += ["Readings that differ (each is a finding, except under qemu-max, the trap the check must catch):", ""]
        md += [f"- {n} --{k}: {d}" for n, k, d in differences] + [""]
    md += [NOTE, ""]
    md += ["## Frame rates: EMULATED, not a Pi's speed", "",
           "qemu translates every arm64 instruction on this x86 host; these figures say how long the check",
           "takes, nothing about a Raspberry Pi. The README's Pi section gives the estimate for real boards.", "",
           "| machine | run | speed |", "|---|---|---|"]
    for kind, entry in report["x86"].items():
        md.append(f"| x86 host (native) | --{kind} | {_rate(entry.get('reading'), None, entry['frames'])} |")
    for name, entry in report["pis"].items():
        for kind in ("demo", "source"):
            if kind in entry:
                e = entry[kind]
                md.append(f"| {name} EMULATED ({entry['qemu_cpu']}) | --{kind} | "
                          f"{_rate(e.get('reading_emulated'), e['seconds'], e['comparison']['frames_compared'])} |")
    return "\n".join(md) + "\n"


def write_report(report: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "pi_arm64.json").write_text(json.dumps(report, indent=2) + "\n")
    (out / "pi_arm64.md").write_text(markdown(report))
