"""openai-cost-tui: where the OpenAI API money goes, in a terminal app and a headless CLI.

Importing the package does nothing: ``__version__`` is read from the installed metadata on first use.
"""

from __future__ import annotations

DISTRIBUTION = "openai-cost-tui"


def __getattr__(name: str) -> str:
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version(DISTRIBUTION)
        except PackageNotFoundError:  # run from a source tree that was never installed
            return "0+unknown"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
