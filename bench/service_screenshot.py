"""The README's picture of the web preview: edge-run --demo --serve --mqtt (a mosquitto started
here), opened in Debian's headless Chromium (tests/browser.py), photographed live after some
frames. Writes reports/service_page.jpg.

Run: python bench/service_screenshot.py --data-dir ../shared/data/mnist
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import chromium  # noqa: E402
from service_fixtures import Broker, EdgeRun, wait_for  # noqa: E402

OUT = ROOT / "reports" / "service_page.jpg"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--data-dir", required=True)
    p.add_argument("--frames", type=int, default=30, help="demo frames before the picture is taken")
    args = p.parse_args()
    import os

    os.environ["EDGE_DIGITS_DATA"] = str(Path(args.data_dir).resolve())
    with tempfile.TemporaryDirectory() as folder, Broker(Path(folder)) as broker, chromium(1100, 900) as driver, \
            EdgeRun.demo("--serve", "127.0.0.1:0", "--mqtt", f"mqtt://127.0.0.1:{broker.port}", "--device-id", "shelf-pi",
                         "--seed", "1", save_dir=Path(folder) / "frames") as run:
        driver.get(run.url())
        wait_for(lambda: int(driver.find_element("id", "frame").text.strip("–") or 0) >= args.frames, "frames", 300)
        png = np.frombuffer(driver.get_screenshot_as_png(), np.uint8)
        run.stop()
    image = cv2.imdecode(png, cv2.IMREAD_COLOR)
    cv2.imwrite(str(OUT), image, [cv2.IMWRITE_JPEG_QUALITY, 82])
    print(f"{OUT.relative_to(ROOT)}: {image.shape[1]}x{image.shape[0]}, {OUT.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
