"""Where the tool keeps its files: ``--data-dir``, else $OPENAI_COST_TUI_HOME, else platformdirs."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..core.errors import StoreError

APP_NAME = "openai-cost-tui"
ENV_HOME = "OPENAI_COST_TUI_HOME"


def data_dir(explicit: str | None = None) -> Path:
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get(ENV_HOME):
        return Path(os.environ[ENV_HOME]).expanduser()
    import platformdirs  # lazily: only when no folder was given

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def ensure_private_dir(path: Path) -> Path:
    """Create the folder 0700 (tightening a new one, never loosening an existing one)."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            path.chmod(mode & ~0o077)
    except OSError as exc:
        raise StoreError(f"cannot create the data folder {path}: {exc.strerror or exc}") from exc
    return path


def default_db(folder: Path) -> str:
    return str(folder / "costs.db")


def rules_file(folder: Path) -> Path:
    return folder / "rules.toml"
