"""Where the tool keeps its files: ``--data-dir``, else $OPENAI_COST_TUI_HOME, else platformdirs.

Folders the tool creates are made 0700 (each level it creates, whatever the umask); a folder that
already exists keeps its permissions: the tool never chmods what it did not create, and says so when an
existing data folder is open to other users (``loose_permissions``).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..core.errors import StoreError, UsageError

APP_NAME = "openai-cost-tui"
ENV_HOME = "OPENAI_COST_TUI_HOME"
ENV_DB = "OPENAI_COST_TUI_DB"  # the store, as --db takes it (--db wins): keeps a URL out of argv and history
OPEN_TO_OTHERS = 0o066  # group or other may read or write


def data_dir(explicit: str | None = None) -> Path:
    """The data folder as an absolute path (a relative ``--data-dir`` is taken from the current folder
    once, so paths stored from it, like an insecure key file's, stay valid from anywhere)."""
    if explicit is not None:
        if not explicit.strip():
            raise UsageError("--data-dir is empty; give a folder, or leave the option out for the default")
        return Path(explicit).expanduser().absolute()
    if os.environ.get(ENV_HOME, "").strip():
        return Path(os.environ[ENV_HOME]).expanduser().absolute()
    import platformdirs  # lazily: only when no folder was given

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)).absolute()


def make_private_dir(path: Path) -> list[Path]:
    """Create ``path`` and any missing parent, each 0700; return the folders created (outermost first).
    An existing folder is left exactly as it is."""
    missing = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise StoreError(f"cannot create the data folder {path}: {probe} is a file, not a folder")
    created = []
    try:
        for folder in reversed(missing):
            try:
                folder.mkdir(mode=0o700)
            except FileExistsError:  # another process made it meanwhile: theirs, not ours
                continue
            folder.chmod(0o700)  # mkdir's mode is masked by the umask
            created.append(folder)
    except OSError as exc:
        raise StoreError(f"cannot create the data folder {path}: {exc.strerror or exc}") from exc
    return created


def ensure_private_dir(path: Path) -> Path:
    """The folder, created 0700 when missing; an existing folder keeps its permissions."""
    if path.is_dir():
        return path
    make_private_dir(path)
    return path


def loose_permissions(path: Path) -> str | None:
    """A one-line warning when the existing folder ``path`` may be read or written by other users."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None
    if not mode & OPEN_TO_OTHERS:
        return None
    who = " and ".join(w for w, bits in (("group", 0o060), ("others", 0o006)) if mode & bits)
    return (f"warning: the data folder {path} is open to {who} (mode {mode:03o}); it holds your cost data. "
            f"Its permissions were left as they are; to make it private: chmod 700 {path}")


def default_db(folder: Path) -> str:
    return str(folder / "costs.db")


def rules_file(folder: Path) -> Path:
    return folder / "rules.toml"
