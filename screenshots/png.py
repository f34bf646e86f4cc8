"""Textual's SVG screenshots to PNG with headless Chromium (Debian: ``apt-get install chromium``).

Chromium lays the SVG's text out as a browser does, keeping every space (numbers stay right-aligned,
nested rows indented), where rsvg-convert collapsed runs of spaces. Each PNG is exactly the SVG's
own size (its viewBox), so a frame holds its terminal and nothing else.

    .venv/bin/python screenshots/png.py some.svg [more.svg ...]   # writes some.png beside each
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def browser() -> str | None:
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def svg_size(svg: Path) -> tuple[int, int]:
    head = svg.read_text(encoding="utf-8")[:2000]
    match = re.search(r'viewBox="([0-9.]+) ([0-9.]+) ([0-9.]+) ([0-9.]+)"', head)
    if not match:
        raise ValueError(f"{svg}: no viewBox")
    return math.ceil(float(match.group(3))), math.ceil(float(match.group(4)))


def svg_to_png(svg: Path, png: Path | None = None, *, chrome: str | None = None) -> Path:
    chrome = chrome or browser()
    if chrome is None:
        raise RuntimeError("no Chromium found (Debian: apt-get install chromium)")
    png = png or svg.with_suffix(".png")
    width, height = svg_size(svg)
    with tempfile.TemporaryDirectory() as profile:
        page = Path(profile) / "page.html"  # the SVG at its own size, nothing around it
        page.write_text(f'<!doctype html><html><body style="margin:0;background:#000">'
                        f'<img src="{svg.resolve().as_uri()}" width="{width}" height="{height}" '
                        f'style="display:block"></body></html>', encoding="utf-8")
        subprocess.run(
            [chrome, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--force-device-scale-factor=1", f"--user-data-dir={profile}", "--allow-file-access-from-files",
             f"--window-size={width},{height}", f"--screenshot={png.resolve()}", page.as_uri()],
            check=True, capture_output=True, timeout=120,
        )
    return png


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(svg_to_png(Path(name)))
