"""Text charts from block characters: a one-line sparkline per row and a small bar chart."""

from __future__ import annotations

from collections.abc import Sequence

TICKS = "▁▂▃▄▅▆▇█"
EIGHTHS = " ▁▂▃▄▅▆▇█"


def bucket(values: Sequence[int], width: int) -> list[int]:
    """Average ``values`` over equal runs of days so at most ``width`` points remain."""
    if width <= 0 or not values:
        return []
    if len(values) <= width:
        return list(values)
    size = -(-len(values) // width)
    return [sum(chunk) // len(chunk) for chunk in (values[i : i + size] for i in range(0, len(values), size))]


def spark(values: Sequence[int], width: int) -> str:
    """One line scaled from the lowest to the highest point, so the shape shows."""
    points = bucket(values, width)
    if not points:
        return ""
    lo, hi = min(points), max(points)
    if hi == lo:
        return TICKS[3] * len(points)
    return "".join(TICKS[round((v - lo) * 7 / (hi - lo))] for v in points)


def bars(values: Sequence[int], width: int, height: int) -> list[str]:
    """``height`` lines of vertical bars in eighth blocks; each value gets ``width // n`` columns."""
    points = bucket(values, width)
    if not points or height <= 0:
        return []
    top = max(max(points), 0)
    step = max(1, width // len(points))
    gap = 1 if step >= 3 else 0
    lines = []
    for level in range(height, 0, -1):
        line = []
        for v in points:
            eighths = 0 if top <= 0 or v <= 0 else round(v * height * 8 / top)
            fill = max(0, min(8, eighths - (level - 1) * 8))
            if v > 0 and level == 1 and fill == 0:
                fill = 1  # a non-zero day never disappears
            line.append(EIGHTHS[fill] * (step - gap) + " " * gap)
        lines.append("".join(line).rstrip())
    return lines
