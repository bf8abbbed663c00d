"""Augmentation: the seed's published affine jitter, plus camera-style crops.

A digit the camera loop sees has been photographed, blurred, thresholded into
an ink map and passed through `edge.vision.normalize.normalize_crop`. `camera_style`
imitates that path on an MNIST digit (stroke thickness, blur, noise, slant,
scale and position jitter, hard or soft thresholding) and ends in the very same
normalisation, so the model learns what the device will show it.
"""

from __future__ import annotations

import cv2
import keras
import numpy as np

from edge.vision.normalize import normalize_crop

# The seed's published ImageDataGenerator settings: rotation 10 deg, zoom 0.1, shifts 0.1.
ROTATION_DEG = 10.0
ZOOM = 0.1
SHIFT = 0.1
SMALL_PX = (11.0, 18.0)  # a digit seen from afar (edge-train --far-digits): this tall, blurred by a pixel or so
SMALL_BLUR = (0.5, 1.6)
SMALL_NOISE = 8.0  # a far digit's few pixels average the sensor's noise less than a near one's


def affine_augmenter(seed: int) -> keras.Sequential:
    """Random rotation/zoom/shift as Keras layers, so they run inside the input graph."""
    return keras.Sequential(
        [
            keras.layers.RandomRotation(ROTATION_DEG / 360.0, fill_mode="constant", seed=seed),
            keras.layers.RandomZoom(ZOOM, fill_mode="constant", seed=seed + 1),
            keras.layers.RandomTranslation(SHIFT, SHIFT, fill_mode="constant", seed=seed + 2),
        ],
        name="affine_augment",
    )


def camera_style(digit: np.ndarray, rng: np.random.Generator, small: bool = False) -> np.ndarray:
    """One MNIST digit (28x28 uint8, bright ink) as the camera loop would crop it: near (40-110
    px), or with `small` far off, 11-18 px, blurred and soft."""
    # the camera sees digits at 40-110 px, not 28; some far off, at 11-18 px (the digit's 20 of 28)
    up = float(rng.uniform(*SMALL_PX) / 20.0 if small else rng.uniform(2.0, 4.0))
    size = int(round(28 * up))
    big = cv2.resize(digit, (size, size), interpolation=cv2.INTER_CUBIC).astype(np.float32)

    # Slant and anisotropic scale: people write narrower, wider, leaning.
    shear = rng.uniform(-0.3, 0.3)
    sx, sy = rng.uniform(0.8, 1.15), rng.uniform(0.9, 1.1)
    angle = np.deg2rad(rng.uniform(-8, 8))
    c, s = np.cos(angle), np.sin(angle)
    m = np.array([[c * sx, -s * sy + shear * sy], [s * sx, c * sy]], np.float32)
    centre = np.array([size / 2, size / 2], np.float32)
    offset = centre - m @ centre
    affine = np.hstack([m, offset[:, None]]).astype(np.float32)
    big = cv2.warpAffine(big, affine, (size, size), flags=cv2.INTER_LINEAR, borderValue=0)

    # Stroke thickness: a felt pen or a fine pencil.
    radius = 0 if small else int(rng.integers(-1, 3))
    radius = radius * max(1, round(up / 2)) if radius > 0 else radius  # erode gently: 1 px
    if radius:
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * abs(radius) + 1,) * 2)
        thicker = cv2.dilate(big, kernel) if radius > 0 else cv2.erode(big, kernel)
        if thicker.max() > 64:  # never erode a thin digit away
            big = thicker

    # defocus and motion blur; a far digit's blur is a pixel or so of its few
    sigma = rng.uniform(*SMALL_BLUR) if small else rng.uniform(0.0, 0.6 * up)
    if sigma > 0.3:
        big = cv2.GaussianBlur(big, (0, 0), sigma)
    big += rng.normal(0.0, rng.uniform(0, SMALL_NOISE if small else 25), big.shape).astype(np.float32)  # sensor noise

    if not small and rng.random() < 0.5:  # the edge loop's hard ink map
        big = np.where(big > rng.uniform(60, 160), 255.0, 0.0)
    else:  # or its soft one (a far digit's crop always is): background cut, contrast stretched
        floor = rng.uniform(20, 80)
        peak = np.percentile(big, 99)  # a noise spike must not set the ink's brightness
        big = (big - floor) * (255.0 / max(1.0, peak - floor))
    ink = np.clip(big, 0, 255).astype(np.uint8)
    if not small:  # a speck of noise beside the digit must not steer the crop: the loop drops specks too
        ink = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    out = normalize_crop(ink)
    return out if out.any() else digit


def camera_style_batch(images: np.ndarray, seed: int, far: float = 0.0) -> np.ndarray:
    """`camera_style` over a batch (N, 28, 28) uint8, reproducible for a given seed; a `far`
    share of them seen from afar (drawn apart, so the near ones are those of `far` 0)."""
    if not len(images):
        return images.copy()
    rng = np.random.default_rng(seed)
    out = np.stack([camera_style(img, rng) for img in images])
    if far > 0:  # from their own draws: the near crops stay those of `far` 0, digit for digit
        small = np.random.default_rng([seed, 1])
        for i in np.flatnonzero(small.random(len(images)) < far):
            out[i] = camera_style(images[i], small, small=True)
    return out
