"""The TUI's own settings file: keys by binding id and the theme, in ``tui.toml`` beside the data.

    theme = "nord"

    [keymap]
    report-rows = "R"            # binding id = key, or several keys: "R,ctrl+r"
    show-insights = "f6"

No Textual here: the app hands in the binding ids and theme names it knows. A bad entry is reported
with its line number and ignored; the rest of the file still applies. (Python's tomllib gives line
numbers only for syntax errors, so the lines of the entries are found in the text itself.)
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

FILE_NAME = "tui.toml"
KEY = re.compile(r"^(?:(?:ctrl|shift|alt|meta|super|hyper)\+)*(?:[a-z0-9_]+|[!-~])$")


def settings_file(folder: Path) -> Path:
    return folder / FILE_NAME


@dataclass
class TuiSettings:
    keymap: dict[str, str] = field(default_factory=dict)
    theme: str | None = None
    problems: list[str] = field(default_factory=list)  # one line each, naming the file and the line


def read_settings(path: Path | None, *, binding_ids: Collection[str],
                  themes: Collection[str]) -> TuiSettings:
    """The settings in ``path`` (a missing file is no settings and no problem)."""
    out = TuiSettings()
    if path is None:
        return out
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return out
    except (OSError, UnicodeDecodeError) as exc:
        out.problems.append(f"{path}: cannot be read ({getattr(exc, 'strerror', None) or exc}); ignored")
        return out
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        out.problems.append(f"{path}: not valid TOML ({exc}); the whole file is ignored")
        return out
    lines = source.splitlines()

    def problem(name: str, what: str, section: str | None = None) -> None:
        line = _line_of(lines, name, section)
        where = f"{path}, line {line}" if line else str(path)
        out.problems.append(f"{where}: {what}; ignored")

    for name, value in data.items():
        if name == "theme":
            if not isinstance(value, str) or value not in themes:
                problem("theme", f"unknown theme {value!r} (one of: {', '.join(sorted(themes))})")
            else:
                out.theme = value
        elif name == "keymap":
            if not isinstance(value, dict):
                problem("keymap", "keymap must be a table ([keymap] with lines like report-rows = \"R\")")
                continue
            for ident, keys in value.items():
                if ident not in binding_ids:
                    problem(ident, f"no binding has the id {ident!r} (F1 shows each key's id)",
                            "keymap")
                elif not isinstance(keys, str) or not keys.strip() or not all(
                        KEY.match(k.strip()) for k in keys.split(",")):
                    problem(ident, f"{keys!r} is not a key for {ident!r} (write e.g. \"R\", \"ctrl+r\" or \"f6\")",
                            "keymap")
                else:
                    out.keymap[ident] = ",".join(k.strip() for k in keys.split(","))
        else:
            problem(name, f"unknown setting {name!r} (the file knows theme and [keymap])")
    return out


def _line_of(lines: list[str], name: str, section: str | None) -> int | None:
    """The 1-based line where ``name`` is set (inside ``[section]`` when given)."""
    current: str | None = None
    entry = re.compile(r"^\s*(?:\"|')?" + re.escape(name) + r"(?:\"|')?\s*=")
    header = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]")
    for number, text in enumerate(lines, 1):
        found = header.match(text)
        if found:
            current = found.group(1).strip("\"' ")
            if section is None and current == name:
                return number
            continue
        if current == section and entry.match(text):
            return number
    return None
