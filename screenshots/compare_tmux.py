"""Check the screenshots against the app in a real terminal: each shot of generate.py is replayed in tmux
(same frozen clock, same demo data, same keys, same size) and the pane's text is compared, line by
line, with the text of the SVG. Prints the lines that differ; exits 1 when any shot differs.

    .venv/bin/python screenshots/compare_tmux.py [name ...]
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]
from generate import SHOTS  # noqa: E402

CHAR = 12.2  # Rich's SVG: 12.2 px a column
LINE = 24.4  # and 24.4 px a row
_TEXT = re.compile(r'<text class="[^"]*" x="([0-9.]+)" y="([0-9.]+)" textLength="[0-9.]+" '
                   r'clip-path="url\(#[^)]*-line-(\d+)\)">([^<]*)</text>')
RUN = """
import asyncio, os, sys
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
sys.path[:0] = {paths!r}
from generate import FROZEN
from openai_cost_tui.core.clock import fixed_clock
from openai_cost_tui.services.context import open_demo
from openai_cost_tui.tui.app import make_app
ctx = open_demo(clock=fixed_clock(FROZEN), size="demo")
ctx.engine.sync_all(ctx.store.connections())
ctx.engine.sync_all(ctx.store.connections())
print("ready", flush=True)
make_app(ctx, sync_on_start=False, refresh_interval=0).run()
ctx.close()
"""
TMUX_KEYS = {"enter": "Enter", "end": "End", "escape": "Escape", "down": "Down", "up": "Up", "space": "Space",
             " ": "Space", **{f"f{n}": f"F{n}" for n in range(1, 13)}}


def svg_lines(svg: Path) -> list[str]:
    rows: dict[int, list[str]] = {}
    for x, _, line, text in _TEXT.findall(svg.read_text(encoding="utf-8")):
        row = rows.setdefault(int(line), [])
        col = round(float(x) / CHAR)
        chars = html.unescape(text).replace("\xa0", " ")
        row.extend(" " * (col + len(chars) - len(row)))
        row[col : col + len(chars)] = chars
    return ["".join(rows.get(i, [])).rstrip() for i in range(max(rows, default=-1) + 1)]


def tmux_lines(keys: tuple[str, ...], size: tuple[int, int], *, settle: float = 6.0) -> list[str]:
    socket, name = f"shots-{uuid.uuid4().hex[:8]}", "shot"
    script = Path(f"/tmp/{socket}.py")
    script.write_text(RUN.format(paths=[str(HERE), str(HERE.parent)]), encoding="utf-8")

    def tmux(*args: str) -> str:
        return subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True).stdout

    def screen() -> str:
        return tmux("capture-pane", "-p", "-t", name)

    def idle() -> None:  # the pane stopped changing for a while: the app painted what it had to
        last, since = screen(), time.monotonic()
        while time.monotonic() - since < settle:
            time.sleep(0.3)
            now = screen()
            if now != last:
                last, since = now, time.monotonic()

    try:
        tmux("new-session", "-d", "-s", name, "-x", str(size[0]), "-y", str(size[1]),
             f"{sys.executable} {script}")
        deadline = time.monotonic() + 240
        while "data as of" not in screen() and time.monotonic() < deadline:
            time.sleep(0.5)
        idle()
        for key in keys:
            tmux("send-keys", "-t", name, TMUX_KEYS.get(key, key))
            idle()
        return [line.rstrip() for line in screen().splitlines()]
    finally:
        tmux("kill-server")
        script.unlink(missing_ok=True)


def main(names: list[str]) -> int:
    differ = 0
    for name, keys, size in SHOTS:
        if names and name not in names:
            continue
        want, got = svg_lines(HERE / f"{name}.svg"), tmux_lines(keys, size)
        bad = [(i, w, g) for i, (w, g) in enumerate(zip(want, got, strict=False)) if w != g]
        print(f"{name}: {len(want) - len(bad)}/{len(want)} lines equal")
        for i, w, g in bad:
            print(f"  {i:2} svg : {w}\n     tmux: {g}")
        differ += bool(bad)
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
