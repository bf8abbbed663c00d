"""What the user sees: boxes, digits and confidences drawn on the frame; window, images or video."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import cv2
import numpy as np

from edge.outputs.paths import write_image
from edge.reader import ReadResult

GREEN, GREY, WHITE = (40, 200, 40), (150, 150, 150), (255, 255, 255)
STATUS_BOX = (30, 30, 30)  # near-black behind the status text


def draw(image: np.ndarray, result: ReadResult, fps: float | None = None) -> np.ndarray:
    """A BGR copy of `image` with each digit's box, value and confidence, and the timings."""
    canvas = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR) if image.ndim == 2 else image[..., :3].copy()
    scale = max(0.4, min(canvas.shape[:2]) / 800)
    thick = max(1, round(scale * 2))
    for digit, colour in [(d, GREEN) for d in result.digits] + [(d, GREY) for d in result.rejected]:
        x, y, w, h = digit.box
        cv2.rectangle(canvas, (x, y), (x + w, y + h), colour, thick)
        label = f"{digit.value} {digit.confidence:.2f}"
        cv2.putText(canvas, label, (x, max(12, y - 3)), cv2.FONT_HERSHEY_SIMPLEX, 0.5 * scale, colour, thick)
    t = result.timing_ms
    status = " ".join(f"{k} {v:.1f}" for k, v in t.items() if k != "total") + " ms"
    if fps is not None:
        status = f"{fps:.1f} fps  " + status
    lines = [status] + [" | ".join(result.lines)]
    font, size = cv2.FONT_HERSHEY_SIMPLEX, 0.55 * scale
    # white on a filled dark box: readable over paper, dark surround or a shadow alike
    sizes = [cv2.getTextSize(text, font, size, thick)[0] for text in lines]
    step = int(26 * scale)
    pad = max(3, round(4 * scale))
    right = min(canvas.shape[1] - 1, 8 + max(w for w, _ in sizes) + pad)
    bottom = min(canvas.shape[0] - 1, step * len(lines) + sizes[-1][1] // 2 + pad)
    cv2.rectangle(canvas, (8 - pad, 0), (right, bottom), STATUS_BOX, cv2.FILLED)
    for i, text in enumerate(lines):
        cv2.putText(canvas, text, (8, step * (i + 1)), font, size, WHITE, thick, cv2.LINE_AA)
    return canvas


def display_present() -> bool:
    return not sys.platform.startswith("linux") or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def opencv_has_gui() -> bool:
    """False for opencv-python-headless (the base install's), whose build has no window backend."""
    gui = [line for line in cv2.getBuildInformation().splitlines() if line.strip().startswith("GUI:")]
    return not gui or gui[0].split(":", 1)[1].strip().upper() != "NONE"


def no_window_reason() -> str | None:
    """Why a wanted preview window cannot open where a display exists, and how to get one; None
    without a display (no window is expected there) or where a window can open."""
    if not display_present() or opencv_has_gui():
        return None
    return ("no preview window: this OpenCV is the headless build (opencv-python-headless); for a window run "
            "pip uninstall -y opencv-python-headless && pip install opencv-python, or use --save-dir/--save-video")


def display_available() -> bool:
    """True where OpenCV has a GUI backend and a display (opencv-python-headless has none)."""
    if not display_present():
        return False
    try:
        cv2.namedWindow("edge-run", cv2.WINDOW_NORMAL)
        return True
    except cv2.error:
        return False


class Outputs:
    """Annotated frames to a window, a folder of images and/or a video; closed once, cleanly."""

    def __init__(self, *, save_dir: Path | None, save_video: Path | None, window: bool, video_fps: float = 15.0) -> None:
        self.save_dir, self.save_video, self.window = save_dir, save_video, window
        self.video_fps = video_fps
        self.writer: cv2.VideoWriter | None = None
        self.quit_requested = False
        if save_dir:
            save_dir.mkdir(parents=True, exist_ok=True)

    @property
    def wanted(self) -> bool:
        return bool(self.save_dir or self.save_video or self.window)

    def write(self, image: np.ndarray, result: ReadResult, fps: float | None) -> None:
        canvas = draw(image, result, fps)
        if self.save_dir:
            stem = Path(result.source).stem.replace(":", "_") or "frame"
            write_image("--save-dir", self.save_dir / f"{stem}_{result.frame:06d}.png", canvas)
        if self.save_video:
            if self.writer is None:
                h, w = canvas.shape[:2]
                fourcc = cv2.VideoWriter_fourcc(*("MJPG" if self.save_video.suffix.lower() == ".avi" else "mp4v"))
                self.writer = cv2.VideoWriter(str(self.save_video), fourcc, self.video_fps, (w, h))
                self.size = (w, h)
            if (canvas.shape[1], canvas.shape[0]) != self.size:
                canvas = cv2.resize(canvas, self.size)
            self.writer.write(canvas)
        if self.window:
            cv2.imshow("edge-run", canvas)
            if cv2.waitKey(1) & 0xFF in (ord("q"), 27):
                self.quit_requested = True

    def close(self) -> None:
        if self.writer is not None:
            self.writer.release()  # writes the index: without it an mp4 does not play
            self.writer = None
        if self.window:
            cv2.destroyAllWindows()
