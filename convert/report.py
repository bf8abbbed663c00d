"""The accuracy-vs-quantization report as report.json, report.md and a self-contained report.html."""

from __future__ import annotations

import base64
import html
import json
import re
from pathlib import Path

from convert.report_sections import Section, Table, build_sections, variants_table


def _md_table(table: Table) -> list[str]:
    lines = ["| " + " | ".join(table.header) + " |", "|" + "|".join("---" for _ in table.header) + "|"]
    return lines + ["| " + " | ".join(cells) + " |" for cells in table.rows]


def markdown_table(report: dict) -> str:
    return "\n".join(_md_table(variants_table(report)))


def _notes(report: dict) -> list[str]:
    notes = list(report.get("user_notes", [])) + [
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
        if cal.get("equalized"):
            worst = max(cal["equalized"], key=lambda e: e["spread_before"])
            notes.append(f"{model['label']}: every variant converted after cross-layer equalization "
                         f"(convert.equalize: {len(cal['equalized'])} layer pairs, the same float function); "
                         f"the widest channel range went from {worst['spread_before']}x to "
                         f"{worst['spread_after']}x the median channel's ({worst['layer']}).")
        elif "equalized" in cal:
            notes.append(f"{model['label']}: converted as trained, without cross-layer equalization.")
        notes.append(f"{model['label']}: Edge TPU op check of int8: {model['opcheck']['summary']}.")
        notes.extend(f"{model['label']}: {w}" for w in model["opcheck"]["warnings"])
        tpu = model["edgetpu"]
        notes.append(f"{model['label']}: Edge TPU compile {tpu['status']}"
                     + (f": {tpu['reason']}" if tpu.get("reason") else f" -> {tpu.get('path')}"))
    floor = report["floor"]
    if floor["checked"]:
        notes.append("Floor: " + ("passed" if floor["passed"] else "FAILED: " + "; ".join(floor["failures"])))
    return notes


def write_markdown(report: dict, sections: list[Section], path: Path) -> None:
    parts = [f"# Accuracy vs quantization: {report['title']}", ""]
    for section in sections:
        if section.key == "verdict":
            parts += [f"**Verdict.** {section.paragraphs[0]}", ""]
            continue
        parts += [f"## {section.heading}", ""]
        bullets = section.key == "notes"
        parts += [(f"- {p}" if bullets else f"{p}\n") for p in section.paragraphs if p]
        for table in section.tables:
            parts += _md_table(table) + [""]
        for fig in section.figures:
            parts += [f"![{fig['alt']}]({fig['file']})", "", f"*{fig['caption']}*", ""]
        parts.append("")
    path.write_text("\n".join(parts).rstrip() + "\n")


def _html_table(table: Table) -> str:
    esc = html.escape
    head = "".join(f"<th>{esc(h)}</th>" for h in table.header)
    def cell(text: str) -> str:  # numbers right-aligned so their digits line up, words left
        return f"<td>{esc(text)}</td>" if NUMERIC.match(text) else f'<td class="t">{esc(text)}</td>'

    body = "".join("<tr>" + "".join(cell(c) for c in cells) + "</tr>" for cells in table.rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html_figure(fig: dict, folder: Path) -> str:
    esc = html.escape
    data = base64.b64encode((folder / fig["file"]).read_bytes()).decode("ascii")
    wide = ' class="wide"' if fig["file"] in WIDE_FIGURES else ""
    return (f'<figure{wide}><img alt="{esc(fig["alt"])}" src="data:image/png;base64,{data}">'
            f"<figcaption>{esc(fig['caption'])}</figcaption></figure>")


NUMERIC = re.compile(r"^[+-]?[0-9][0-9,./]*( points| \(digit [0-9]+\)| to [+-]?[0-9][0-9,.]*)?$|^(-|reference|none worse)$")
WIDE_FIGURES = ("disagreements.png", "calibration_sweep.png")  # full page width: digits and two panels
STYLE = """body{font-family:sans-serif;margin:2em;max-width:1400px}table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td.t,th:first-child{text-align:left}
#verdict{font-size:1.15em;background:#f3f6fa;border-left:4px solid #4c72b0;padding:.8em 1em}
figure{display:inline-block;margin:1em;vertical-align:top;max-width:700px}figure img{max-width:100%}
figure.wide{display:block;max-width:none}figure.wide img{width:100%;max-width:1200px}
figcaption{color:#444;font-size:.9em}"""


def write_html(report: dict, sections: list[Section], path: Path, folder: Path) -> None:
    esc = html.escape
    body = []
    for section in sections:
        if section.key == "verdict":
            body.append(f'<p id="verdict"><strong>Verdict.</strong> {esc(section.paragraphs[0])}</p>')
            continue
        body.append(f'<section id="{section.key}"><h2>{esc(section.heading)}</h2>')
        if section.key == "notes":
            body.append("<ul>" + "".join(f"<li>{esc(p)}</li>" for p in section.paragraphs) + "</ul>")
        else:
            body += [f"<p>{esc(p)}</p>" for p in section.paragraphs if p]
        body += [_html_table(t) for t in section.tables]
        body += [_html_figure(f, folder) for f in section.figures]
        body.append("</section>")
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(report['title'])}</title>
<style>{STYLE}</style></head>
<body><h1>Accuracy vs quantization: {esc(report['title'])}</h1>
{''.join(body)}</body></html>
"""
    path.write_text(page)


def write_report(report: dict, folder: Path) -> dict[str, Path]:
    """report.json (every figure), report.md and report.html; returns their paths."""
    paths = {"json": folder / "report.json", "md": folder / "report.md", "html": folder / "report.html"}
    sections = build_sections(report, _notes(report))
    report["verdict"] = sections[0].paragraphs[0]
    paths["json"].write_text(json.dumps(report, indent=2))
    write_markdown(report, sections, paths["md"])
    write_html(report, sections, paths["html"], folder)
    return paths
