"""The field test's outputs: field_test.json, field_test.md and a contact sheet of scenes."""

from __future__ import annotations

import hashlib
import json
import os
import platform
from pathlib import Path

import cv2
import numpy as np

from bench.field.conditions import GENERATORS
from bench.field.hands import FIELD_FONTS, dev_hands, hand_name
from bench.field.scoring import match_boxes

# BGR: truth boxes thin blue, read digits green when right and red when wrong or extra
TRUTH_COLOUR, MISSED_COLOUR = (230, 120, 0), (0, 140, 255)
RIGHT_COLOUR, WRONG_COLOUR = (40, 190, 40), (40, 40, 230)
MIN_SIDE = 240  # small frames (a field crop) are enlarged to this short side for the eye
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


def annotate(frame: np.ndarray, truth_lines: list[str], truth_digits, result) -> np.ndarray:
    """The frame (enlarged when small) with truth boxes in blue, read digits in green where they
    match a truth digit's box and value, red otherwise, missed truth digits in orange; truth and
    reading spelled in a band below, so nothing covers the frame."""
    zoom = max(1.0, MIN_SIDE / min(frame.shape[:2]))
    canvas = cv2.resize(frame, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_LINEAR) if zoom > 1 else frame.copy()
    thick = max(1, round(min(canvas.shape[:2]) / 400))

    def rect(box, colour, width):
        x, y, w, h = (int(round(v * zoom)) for v in box)
        cv2.rectangle(canvas, (x, y), (x + w, y + h), colour, width)
        return x, y

    pairs = match_boxes([d.box for d in truth_digits], [d.box for d in result.digits])
    matched = {r: t for t, r in pairs}
    found = {t for t, _ in pairs}
    for t, digit in enumerate(truth_digits):
        rect(digit.box, TRUTH_COLOUR if t in found else MISSED_COLOUR, 1 if t in found else thick + 1)
    for r, digit in enumerate(result.digits):
        right = r in matched and truth_digits[matched[r]].value == digit.value
        colour = RIGHT_COLOUR if right else WRONG_COLOUR
        x, y = rect(digit.box, colour, thick)
        cv2.putText(canvas, str(digit.value), (x, max(10, y - 2)), cv2.FONT_HERSHEY_SIMPLEX, 0.4 * thick + 0.1, colour, thick)
    band = np.full((44, max(canvas.shape[1], 360), 3), 25, np.uint8)
    for i, (label, lines) in enumerate((("truth", truth_lines), ("read ", result.lines))):
        text = f"{label}: " + (" | ".join(lines) or "-")
        cv2.putText(band, text[:120], (6, 17 + 20 * i), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (235, 235, 235), 1, cv2.LINE_AA)
    if band.shape[1] > canvas.shape[1]:
        canvas = cv2.copyMakeBorder(canvas, 0, 0, 0, band.shape[1] - canvas.shape[1], cv2.BORDER_CONSTANT, value=(25, 25, 25))
    return np.vstack([canvas, band])


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
    held_out = result.get("held_out", True)
    md = [
        "# Field test: handwriting the reader has never seen" if held_out else
        "# Field test, dev set: the field test's conditions in training-side hands",
        "",
        *([] if held_out else [
            "Tune a reader change here, then confirm it once on the held-out field set "
            "(`bench/results/field_test.md`). The model has trained on these hands' digits, so the "
            "classifier's share of a miss is smaller here than in the field; the demo row reads "
            "MNIST training digits, never the test set.", ""]),
        f"Command: `{result['command']}`  ",
        f"Machine: {result['machine']} (shared with other work); model: {result['model']}; "
        f"seed {result['seed']}, {result['scenes_per_condition']} scenes per condition; "
        f"{result['cpu_s']} s of CPU, {result['wall_s']} s wall.",
        "",
        "Digit accuracy is 1 minus the edit-distance error rate of each frame's digits in reading "
        "order (edge.demo.scoring, as the demo); numbers exact counts truth numbers read exactly. "
        "Found/missed/extra match read boxes to truth boxes (centre in box or IoU >= 0.3). False "
        "digits are extra digits in scenes that hold non-digit marks, per 100 marks. ms: median per "
        "frame, JPEG decode included. Digit accuracy falls below 0 where a reader adds more digits "
        "than the truth holds (a board's texture or a line of text read as digits).",
        "",
        "| condition | scenes | digits | digit accuracy | numbers exact | found | missed | extra | false digits / 100 marks | ms/frame |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    md += [_row(name, row) for name, row in result["conditions"].items()]
    md.append(_row("**overall**", result["overall"]))
    md.append(_row("demo (MNIST test digits)" if held_out else "demo (MNIST training digits)", result["demo"]))
    if held_out:
        hands_line = ("Hands (held out: never trained on): " + ", ".join(hand_name(f) for f in FIELD_FONTS)
                      + "; printed text in Liberation fonts.")
    else:
        dev = dev_hands()
        hands_line = ("Hands (training side: the model learned their digits): " + ", ".join(hand_name(f) for f in dev.handwriting)
                      + "; printed text in " + ", ".join(hand_name(f) for f in dev.printed) + ".")
    md += ["", SEPARATORS, "", hands_line + " Conditions:", ""]
    for name in result["conditions"]:
        doc = " ".join((GENERATORS[name].__doc__ or "").split())
        md.append(f"- **{name}**: {doc}")
    md.append("")
    classifier = result.get("classifier")
    if classifier:
        md += ["## The classifier alone", "", "| crops | digits | accuracy |", "|---|---|---|"]
        opt = classifier["optdigits"]
        md.append(f"| optdigits writer-independent test set | {opt.get('digits', '-')} | {opt['accuracy']:.2%} |" if "accuracy" in opt
                  else f"| optdigits | - | {opt['note']} |")
        for name, hand in classifier["hands"].items():
            md.append(f"| {'field' if held_out else 'dev'} hand {name} | {hand['digits']} | {hand['accuracy']:.2%} |")
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
