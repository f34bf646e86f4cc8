"""Write the report's current pivot to a file: CSV and Markdown as the wide table, JSON in the long
format of CONTRACT.md (the same renderers as ``openai-cost-tui report --format``)."""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path

from ...core.models import PivotResult
from ...core.render import to_csv, to_json, to_markdown

# By the names `report --format` takes; each with its file extension.
FORMATS = {
    "csv": ("CSV (wide table, exact amounts)", to_csv),
    "json": ("JSON (long format of the report contract)", to_json),
    "markdown": ("Markdown (wide table, rounded)", to_markdown),
}
EXTENSIONS = {"csv": "csv", "json": "json", "markdown": "md"}


def export_path(folder: Path, result: PivotResult, fmt: str, now: datetime) -> Path:
    dims = "-".join(result.spec.rows) + (f"-by-{result.spec.cols}" if result.spec.cols else "")
    stamp = now.strftime("%Y%m%d-%H%M%S")
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", f"report-{dims}-{stamp}.{EXTENSIONS[fmt]}")
    return folder / "exports" / name


def write_export(folder: Path, result: PivotResult, fmt: str, now: datetime) -> Path:
    """Write the file (0600, in a 0700 ``exports`` folder); never overwrites: adds -2, -3 ..."""
    path = export_path(folder, result, fmt, now)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    base, n = path, 1
    while path.exists():
        n += 1
        path = base.with_name(f"{base.stem}-{n}{base.suffix}")
    data = FORMATS[fmt][1](result).encode("utf-8")
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return path
