"""Output paths checked before the first frame: nothing a run writes is lost, nothing is overwritten.

A run that cannot write what was asked (a folder that is a file, a video format OpenCV
cannot write, a folder it may not create) stops at start-up with one line, instead of
reading for an hour and leaving no file. Files already there are never written over
unless the user passed --force.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import cv2
import numpy as np

from edge.errors import UserError

# suffix -> the codec OpenCV writes it with (both ship in the opencv-python wheels' FFmpeg)
VIDEO_CODECS = {".mp4": "mp4v", ".avi": "MJPG"}
PROBE_SIZE = (64, 48)  # a frame just big enough for every codec to accept


def video_fourcc(path: Path) -> int:
    return cv2.VideoWriter_fourcc(*VIDEO_CODECS[path.suffix.lower()])


def _make_folder(flag: str, folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{flag} {folder}: that is a file, not a folder; pick a folder name")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UserError(f"{flag} {folder}: cannot create it ({err.strerror}); pick a folder you can write to") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UserError(f"{flag} {folder}: not writable; pick a folder you can write to")


def prepare_folder(flag: str, folder: Path, *, force: bool) -> Path:
    """Create an output folder, refusing one that is a file or already holds files (unless force)."""
    folder = folder.expanduser()
    if folder.is_dir() and not force and any(folder.iterdir()):
        raise UserError(f"{flag} {folder}: the folder holds files already; pick a new or empty folder, "
                        "or pass --force to write over files of the same name")
    _make_folder(flag, folder)
    return folder


def prepare_video(path: Path, *, force: bool) -> Path:
    """Check that a video can be written at `path` (format, folder, codec) before any frame is read."""
    path = path.expanduser()
    flag = "--save-video"
    suffix = path.suffix.lower()
    if suffix not in VIDEO_CODECS:
        raise UserError(f"{flag} {path}: videos are written as .mp4 or .avi, not "
                        f"{suffix or 'a name without a suffix'}; name the file .mp4 or .avi")
    if path.is_dir():
        raise UserError(f"{flag} {path}: that is a folder; give a file name ending in .mp4 or .avi")
    if path.exists() and not force:
        raise UserError(f"{flag} {path}: the file exists; pick a new name, or pass --force to write over it")
    _make_folder(flag, path.parent)
    # Open a real writer with the same codec beside the target: it proves the codec is there and
    # the folder takes the file, without touching the target itself.
    handle, probe = tempfile.mkstemp(prefix=".edge-run-probe-", suffix=suffix, dir=path.parent)
    os.close(handle)
    previous = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    try:
        writer = cv2.VideoWriter(probe, video_fourcc(path), 15.0, PROBE_SIZE)
        opened = writer.isOpened()
        if opened:
            writer.write(np.zeros((PROBE_SIZE[1], PROBE_SIZE[0], 3), np.uint8))
        writer.release()
    finally:
        cv2.utils.logging.setLogLevel(previous)
        Path(probe).unlink(missing_ok=True)
    if not opened:
        raise UserError(f"{flag} {path}: this OpenCV cannot write {VIDEO_CODECS[suffix]} {suffix} video; "
                        f"try {'.avi' if suffix == '.mp4' else '.mp4'}, or --save-dir for images")
    return path


def write_image(flag: str, path: Path, image: np.ndarray) -> None:
    """cv2.imwrite that fails loudly: OpenCV returns False (or raises) on a full disk or a folder
    removed mid-run, and a run that goes on saving nothing has lost the user's output silently."""
    try:
        written = cv2.imwrite(str(path), image)
    except cv2.error:
        written = False
    if not written:
        raise UserError(f"{flag}: cannot write {path} (disk full, or the folder was removed?); "
                        "free some space or choose another folder")
