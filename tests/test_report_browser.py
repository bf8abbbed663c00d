"""The HTML report in a real browser (Debian's headless Chromium): every picture decodes and shows,
and the verdict is the first thing on the page."""

from __future__ import annotations

import json

from browser import chromium


def test_report_opens_in_chromium_with_every_image_loaded_and_the_verdict_on_top(report_dir):
    report = json.loads((report_dir / "report.json").read_text())
    with chromium() as driver:
        driver.get((report_dir / "report.html").resolve().as_uri())
        images = driver.execute_script(
            "return Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth, i.naturalHeight]);")
        verdict = driver.execute_script("const v = document.getElementById('verdict'); return v && v.innerText;")
        first_block = driver.execute_script("return document.querySelector('h1').nextElementSibling.id;")
    assert len(images) == len(report["plots"]) >= 6
    broken = [alt for alt, complete, width, height in images if not (complete and width > 0 and height > 0)]
    assert not broken, f"images that did not load: {broken}"
    assert first_block == "verdict"
    assert verdict and verdict.startswith("Verdict.") and "int8" in verdict and "gate passed" in verdict
