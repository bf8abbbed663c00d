"""The one place where pieces of ink become the model's input: 28x28 MNIST-style crops."""

from __future__ import annotations

import cv2
import numpy as np

from edge.vision.cuts import Piece
from edge.vision.histogram import percentile_of_histogram
from edge.vision.normalize import MNIST_SIZE, normalize_crop

STROKE_EDGE = np.ones((3, 3), np.uint8)  # the mask grows by a pixel to keep the soft edge of a stroke
PEAK_PERCENTILE = 90  # MNIST strokes are saturated at their core: this percentile of the ink becomes full ink
CROSS = cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))


def piece_mask(labels: np.ndarray, piece: Piece) -> np.ndarray:
    """The piece's own components within its box (and its band, if any): uint8, 255 on them."""
    rows, cols = piece.box.slices()
    region = labels[rows, cols]
    if len(piece.labels) == 1:
        mask = cv2.compare(region, piece.labels[0], cv2.CMP_EQ)
    else:
        mask = np.isin(region, piece.labels).view(np.uint8) * np.uint8(255)
    if piece.band is not None:  # a slanted lattice's piece: its strip of the blob only
        mask[~piece.band.mask(piece.box)] = 0
    return mask


def crop_piece(ink: np.ndarray, labels: np.ndarray, piece: Piece) -> np.ndarray:
    """The 28x28 crop of one piece: its own components' ink only, contrast stretched, normalised."""
    rows, cols = piece.box.slices()
    mask = cv2.dilate(piece_mask(labels, piece), STROKE_EDGE)
    ink_crop = cv2.bitwise_and(ink[rows, cols], mask)
    peak = percentile_of_histogram(cv2.calcHist([ink_crop], [0], mask, [256], [0, 256]).ravel(), PEAK_PERCENTILE)
    if peak > 0:
        ink_crop = cv2.convertScaleAbs(ink_crop, alpha=255.0 / peak)
    return normalize_crop(ink_crop)


def stroke_widths(labels: np.ndarray, pieces) -> np.ndarray:
    """(N,) float64: each piece's stroke width in px, twice its area over its edge (the pixels with
    a background 4-neighbour): a stroke L long and w wide has about 2L of edge. Scale-free as a
    ratio between pieces of one frame; a 1 px line reads about 2."""
    out = np.zeros(len(pieces), np.float64)
    for i, piece in enumerate(pieces):
        mask = piece_mask(labels, piece)
        area = cv2.countNonZero(mask)
        if area:
            inner = cv2.erode(mask, CROSS, borderType=cv2.BORDER_CONSTANT, borderValue=0)
            out[i] = 2.0 * area / max(area - cv2.countNonZero(inner), 1)
    return out


def crop_pieces(ink: np.ndarray, labels: np.ndarray, pieces) -> np.ndarray:
    """(N, 28, 28) uint8 crops of `pieces`, in their order."""
    crops = np.zeros((len(pieces), MNIST_SIZE, MNIST_SIZE), np.uint8)
    for i, piece in enumerate(pieces):
        crops[i] = crop_piece(ink, labels, piece)
    return crops
