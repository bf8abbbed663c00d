"""Where do two machines part ways? A hash of every edge-loop stage's output, per image.

Run it with the same images on x86 and on arm64 and compare the JSON: the first stage whose hash
differs is where the architectures compute differently (on identical pixels).
    python -m bench.pi.stage_hashes DIR > stages.json
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import cv2
import numpy as np

from edge.runtime.interpreter import DigitClassifier
from edge.vision import segment as seg


def digest(array: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()[:12]


def stage_hashes(image: np.ndarray, classifier: DigitClassifier) -> dict[str, str]:
    grey = seg.to_grey(image)
    ink = seg.ink_map(grey)
    binary = seg.binarize(ink)
    no_rules = seg.remove_rules(binary)
    boxes, _labels, _members, _options = seg.find_boxes(no_rules, ink)
    result = seg.segment_digits(image)
    probs = classifier.classify(result.crops) if len(result.crops) else np.zeros((0, 10))
    # the same fixed input on both machines: isolates the int8 interpreter from everything before it
    fixed = np.arange(8 * 28 * 28, dtype=np.uint32).reshape(8, 28, 28) * 2654435761 % 256
    return {"grey": digest(grey), "ink_map": digest(ink), "binarize": digest(binary), "remove_rules": digest(no_rules),
            "boxes": digest(boxes), "crops": digest(result.crops), "scores": digest(np.asarray(probs)),
            "scores_fixed_input": digest(np.asarray(classifier.classify(fixed.astype(np.uint8))))}


def main() -> None:
    classifier = DigitClassifier(None)
    folder = Path(sys.argv[1])
    out = {}
    for path in sorted(folder.iterdir()):
        image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
        if image is not None:
            out[path.name] = stage_hashes(image, classifier)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
