"""Write the report's current pivot where the user says, or copy it to the clipboard.

Files: CSV and Markdown as the wide table, JSON in the long format of CONTRACT.md (the renderers of
``openai-cost-tui report --format``); CSV amounts are exact with trailing zeros trimmed. The default
path is in the current folder (also in ``--demo``: an export is the user's file, never the demo's
temporary folder). The clipboard gets the figures as shown (rounded) as CSV, TSV or Markdown.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path

from ...core.errors import UsageError
from ...core.models import PivotResult
from ...core.render import CLIPBOARD, to_csv, to_json, to_markdown

# By the names `report --format` takes; each with its file extension.
FORMATS = {
    "csv": ("CSV file (wide table, exact amounts)", to_csv),
    "json": ("JSON file (long format of the report contract)", to_json),
    "markdown": ("Markdown file (rounded, with its period and workspace)", to_markdown),
}
EXTENSIONS = {"csv": "csv", "json": "json", "markdown": "md"}
COPY_FORMATS = {
    "csv": "Copy as CSV to the clipboard (the figures as shown)",
    "tsv": "Copy as TSV to the clipboard (pastes into spreadsheet cells)",
    "markdown": "Copy as Markdown to the clipboard",
}


def export_name(result: PivotResult, fmt: str, now: datetime) -> str:
    dims = "-".join(result.spec.rows) + (f"-by-{result.spec.cols}" if result.spec.cols else "")
    stamp = now.strftime("%Y%m%d-%H%M%S")
    return re.sub(r"[^A-Za-z0-9_.-]", "_", f"report-{dims}-{stamp}.{EXTENSIONS[fmt]}")


def default_path(folder: Path, result: PivotResult, fmt: str, now: datetime) -> Path:
    """Where the prompt starts: a file named for the view, in ``folder`` (the current folder)."""
    return folder / export_name(result, fmt, now)


def read_path(text: str, fmt: str, *, cwd: Path) -> Path:
    """The path a person typed: ``~`` expanded, relative to ``cwd``, the format's extension added when
    there is none; its folder must exist and it must not be a folder itself (UsageError says why)."""
    raw = text.strip()
    if not raw:
        raise UsageError("type a file name or path (the folder must exist)")
    path = Path(os.path.expanduser(raw))
    if not path.is_absolute():
        path = cwd / path
    if path.is_dir():
        raise UsageError(f"{path} is a folder: add a file name, like {path / ('report.' + EXTENSIONS[fmt])}")
    if not path.suffix:
        path = path.with_suffix("." + EXTENSIONS[fmt])
    if not path.parent.is_dir():
        raise UsageError(f"there is no folder {path.parent}: create it first or choose another")
    return path


def export_text(result: PivotResult, fmt: str) -> str:
    return FORMATS[fmt][1](result)


def clipboard_text(result: PivotResult, fmt: str) -> str:
    return CLIPBOARD[fmt](result)


def write_export(path: Path, result: PivotResult, fmt: str, *, overwrite: bool = False) -> Path:
    """Write the file (0600: costs are private). A new file is created exclusively (FileExistsError when
    one is there); ``overwrite`` replaces one through a temporary file and a rename, so a reader never
    sees half a file."""
    data = export_text(result, fmt).encode("utf-8")
    target = path.with_name(f".{path.name}.{os.getpid()}.tmp") if overwrite else path
    fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        if overwrite:
            os.replace(target, path)
    finally:
        if overwrite and target.exists():
            target.unlink()
    return path
