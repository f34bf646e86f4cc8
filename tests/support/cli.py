"""Running the CLI in-process for tests: exit code, stdout, stderr; never a traceback."""

from __future__ import annotations

from openai_cost_tui.cli.main import main


def run(capsys, *argv) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's own exits
        code = exc.code
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err
