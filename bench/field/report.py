"""The field test's outputs: field_test.json, field_test.md and a contact sheet of scenes."""

from __future__ import annotations

import hashlib
import json
import os
import platform
from pathlib import Path

import cv2
import numpy as np

from edge.outputs.overlay import draw

TRUTH_COLOUR = (230, 120, 0)  # BGR blue-ish: truth boxes under the reader's green ones
TILE = (426, 240)  # contact-sheet tile, px: 3 across is 1278 px
SEPARATORS = (
    "Separators: a `.` or `,` between digit groups keeps one number whole (truth `25.441` is the "
    "number `25441`, `1,250.00` is `125000`); a `/` or `-` between digit groups parts two numbers "
    "(`12/05/24` is `12 05 24`); a trailing `-`, `,-` or `=` is no digit. Separators and every other "
    "non-digit mark (letters, printed characters, arrows, ticks, scribbles) count as marks."
)


def model_id(path: Path) -> str:
    return f"{path.name} sha256 {hashlib.sha256(path.read_bytes()).hexdigest()[:12]}"


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}"


def annotate(frame: np.ndarray, truth_digits, result) -> np.ndarray:
    """The edge-run overlay (read digits in green) over thin truth boxes."""
    canvas = frame.copy()
    for digit in truth_digits:
        x, y, w, h = digit.box
        cv2.rectangle(canvas, (x - 1, y - 1), (x + w + 1, y + h + 1), TRUTH_COLOUR, 1)
    return draw(canvas, result)


def contact_sheet(examples: dict[str, np.ndarray]) -> np.ndarray:
    """One tile per condition, three across, each labelled with its condition."""
    tiles = []
    for name, image in examples.items():
        tile = np.full((TILE[1], TILE[0], 3), 40, np.uint8)
        scale = min(TILE[0] / image.shape[1], TILE[1] / image.shape[0])
        w, h = max(1, int(image.shape[1] * scale)), max(1, int(image.shape[0] * scale))
        small = cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
        x, y = (TILE[0] - w) // 2, (TILE[1] - h) // 2
        tile[y : y + h, x : x + w] = small
        cv2.rectangle(tile, (0, TILE[1] - 22), (TILE[0], TILE[1]), (30, 30, 30), cv2.FILLED)
        cv2.putText(tile, name, (6, TILE[1] - 6), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (255, 255, 255), 1, cv2.LINE_AA)
        tiles.append(tile)
    while len(tiles) % 3:
        tiles.append(np.full_like(tiles[0], 40))
    rows = [np.hstack(tiles[i : i + 3]) for i in range(0, len(tiles), 3)]
    return np.vstack(rows)


def _row(name: str, r: dict) -> str:
    if "note" in r:
        return f"| {name} | {r['note']} |||||||||"
    false = "-" if r["false_digits_per_100_marks"] is None else f"{r['false_digits_per_100_marks']:.1f} ({r['false_digits']}/{r['marks']})"
    return (
        f"| {name} | {r['scenes']} | {r['digits']} | {r['digit_accuracy']:.2%} | {r['numbers_exact']:.2%} | "
        f"{r['digits_found'] / max(1, r['digits_found'] + r['digits_missed']):.1%} | {r['digits_missed']} | "
        f"{r['digits_extra']} | {false} | {r['ms_per_frame_median']:.1f} |"
    )


def markdown(result: dict) -> str:
    md = [
        "# Field test: handwriting the reader has never seen",
        "",
        f"Command: `{result['command']}`  ",
        f"Machine: {result['machine']} (shared with other work); model: {result['model']}; "
        f"seed {result['seed']}, {result['scenes_per_condition']} scenes per condition; {result['wall_s']} s in all.",
        "",
        "Digit accuracy is 1 minus the edit-distance error rate of each frame's digits in reading "
        "order (edge.demo.scoring, as the demo); numbers exact counts truth numbers read exactly. "
        "Found/missed/extra match read boxes to truth boxes (centre in box or IoU >= 0.3). False "
        "digits are extra digits in scenes that hold non-digit marks, per 100 marks. ms: median per "
        "frame, JPEG decode included.",
        "",
        "| condition | scenes | digits | digit accuracy | numbers exact | found | missed | extra | false digits / 100 marks | ms/frame |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    md += [_row(name, row) for name, row in result["conditions"].items()]
    md.append(_row("**overall**", result["overall"]))
    md.append(_row("demo (MNIST test digits)", result["demo"]))
    md += ["", SEPARATORS, ""]
    classifier = result.get("classifier")
    if classifier:
        md += ["## The classifier alone", "", "| crops | digits | accuracy |", "|---|---|---|"]
        opt = classifier["optdigits"]
        md.append(f"| optdigits writer-independent test set | {opt.get('digits', '-')} | {opt['accuracy']:.2%} |" if "accuracy" in opt
                  else f"| optdigits | - | {opt['note']} |")
        for name, hand in classifier["hands"].items():
            md.append(f"| field hand {name} | {hand['digits']} | {hand['accuracy']:.2%} |")
        md.append(f"| drawn styles MNIST lacks | {classifier['styles']['digits']} | {classifier['styles']['accuracy']:.2%} |")
        md.append("")
    return "\n".join(md)


def write(result: dict, out: Path) -> tuple[Path, Path, Path | None]:
    """field_test.json, field_test.md and (when there are examples) field_test_scenes.jpg."""
    out.mkdir(parents=True, exist_ok=True)
    examples = result.pop("examples", {})
    result.setdefault("machine", machine())
    json_path, md_path = out / "field_test.json", out / "field_test.md"
    json_path.write_text(json.dumps({**result, "separators": SEPARATORS}, indent=2) + "\n")
    md_path.write_text(markdown(result))
    sheet_path = None
    if examples:
        sheet_path = out / "field_test_scenes.jpg"
        cv2.imwrite(str(sheet_path), contact_sheet(examples), [cv2.IMWRITE_JPEG_QUALITY, 82])
    return json_path, md_path, sheet_path
