"""The accuracy-vs-quantization report as report.json, report.md and a self-contained report.html."""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path

COLUMNS = (
    # (header, key, format)
    ("model", "label", "{}"),
    ("size KiB", "size_bytes", "kib"),
    ("MNIST acc %", "accuracy", "pct"),
    ("vs float (pts)", "accuracy_change", "pts"),
    ("agree w/ float %", "agreement", "pct"),
    ("worst class (pts)", "worst_class_change", "worst"),
    ("ms/digit b1 mean", "latency_ms_mean", "{:.3f}"),
    ("ms/digit b1 p95", "latency_ms_p95", "{:.3f}"),
    ("digits/s b32", "throughput_digits_per_s", "{:,.0f}"),
    ("camera acc %", "camera_accuracy", "pct"),
    ("optdigits acc %", "optdigits_accuracy", "pct"),
    ("not-a-digit rejected %", "negatives_rejected", "pct"),
    ("MNIST false rejects %", "false_reject_rate", "pct"),
)


def _cell(row: dict, key: str, fmt: str) -> str:
    value = row.get(key)
    if value is None:
        return "-"
    if fmt == "kib":
        return f"{value / 1024:,.1f}"
    if fmt == "pct":
        return f"{value * 100:.2f}"
    if fmt == "pts":
        return f"{value * 100:+.2f}"
    if fmt == "worst":
        return f"{value * 100:+.2f} (digit {row['worst_class']})" if row.get("worst_class") is not None else f"{value * 100:+.2f}"
    return fmt.format(value)


def table_rows(report: dict) -> list[list[str]]:
    return [[_cell(row, key, fmt) for _, key, fmt in COLUMNS] for row in report["rows"]]


def markdown_table(report: dict) -> str:
    header = [h for h, _, _ in COLUMNS]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cells) + " |" for cells in table_rows(report)]
    return "\n".join(lines)


def _notes(report: dict) -> list[str]:
    notes = [
        f"MNIST test: {report['test_count']} digits; camera-style: the same digits through "
        f"train.augment.camera_style_batch (seed {report['camera_seed']}).",
        f"Latency: {report['latency_digits']} digits one at a time (batch 1); throughput: batch "
        f"{report['throughput_batch']}; {report['threads']} interpreter thread(s), "
        f"runtime {report['runtime']}, on {report['machine']}.",
        "vs float and agreement: against the Keras float model of the same training run; "
        "worst class: the digit whose accuracy changed most for the worse, in points.",
        "optdigits: 1,797 digits by writers not in MNIST (UCI, writer-independent test file), "
        "cropped to their ink and normalize_crop'd, measured only; not-a-digit rejected: share of "
        "train.negatives.negative_test_set answered 'not a digit'; MNIST false rejects: MNIST test "
        "digits answered 'not a digit' (counted wrong in MNIST acc).",
    ]
    for model in report["models"]:
        cal = model["calibration"]
        notes.append(f"{model['label']}: int8 calibrated on {cal['digits']} digits of its training split "
                     f"(seed {cal['seed']}, stratified by digit), from {model['dir']}.")
        notes.append(f"{model['label']}: Edge TPU op check of int8: {model['opcheck']['summary']}.")
        notes.extend(f"{model['label']}: {w}" for w in model["opcheck"]["warnings"])
        tpu = model["edgetpu"]
        notes.append(f"{model['label']}: Edge TPU compile {tpu['status']}"
                     + (f": {tpu['reason']}" if tpu.get("reason") else f" -> {tpu.get('path')}"))
    floor = report["floor"]
    if floor["checked"]:
        notes.append("Floor: " + ("passed" if floor["passed"] else "FAILED: " + "; ".join(floor["failures"])))
    return notes


def write_markdown(report: dict, path: Path) -> None:
    parts = [f"# Accuracy vs quantization: {report['title']}", "", markdown_table(report), ""]
    parts += [f"- {note}" for note in _notes(report)]
    parts += [""] + [f"![{name}]({file})" for name, file in report["plots"].items()]
    path.write_text("\n".join(parts) + "\n")


def write_html(report: dict, path: Path, folder: Path) -> None:
    esc = html.escape
    head = "".join(f"<th>{esc(h)}</th>" for h, _, _ in COLUMNS)
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>" for cells in table_rows(report))
    images = []
    for name, file in report["plots"].items():
        data = base64.b64encode((folder / file).read_bytes()).decode("ascii")
        images.append(f'<figure><img alt="{esc(name)}" src="data:image/png;base64,{data}">'
                      f"<figcaption>{esc(name)}</figcaption></figure>")
    notes = "".join(f"<li>{esc(n)}</li>" for n in _notes(report))
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(report['title'])}</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right}}td:first-child{{text-align:left}}
figure{{display:inline-block;margin:1em}}img{{max-width:640px}}</style></head>
<body><h1>Accuracy vs quantization: {esc(report['title'])}</h1>
<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>
<ul>{notes}</ul>{''.join(images)}</body></html>
"""
    path.write_text(page)


def write_report(report: dict, folder: Path) -> dict[str, Path]:
    """report.json (every figure), report.md and report.html; returns their paths."""
    paths = {"json": folder / "report.json", "md": folder / "report.md", "html": folder / "report.html"}
    paths["json"].write_text(json.dumps(report, indent=2))
    write_markdown(report, paths["md"])
    write_html(report, paths["html"], folder)
    return paths
