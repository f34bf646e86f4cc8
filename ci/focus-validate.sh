#!/usr/bin/env bash
# The FOCUS export, checked by the FinOps Foundation's validator (focus-validator 1.0.0 from PyPI).
#
#   ci/focus-validate.sh              export the demo organization and a synthetic store (credits, costs
#                                     without a project, hostile names) and validate both
#   ci/focus-validate.sh FILE.csv...  validate these exports
#   ci/focus-validate.sh --install    only make the validator's virtualenv
#
# The validator pins old libraries (and needs multimethod<1.11 beside them), so it gets a virtualenv of
# its own, outside the work tree: $FOCUS_VALIDATOR_VENV, by default ~/.cache/openai-cost-tui/
# focus-validator-1.0.0, made once and reused. It reads its currency list relative to the working
# folder, so it runs from its package folder. It runs its "1.0" rule set with ci/focus-overrides.yaml,
# which skips only the rules that name pre-release columns (see the comments there); the same files then
# get tests/test_focus_validator.py's checks of what those skipped rules mean under the published names.
#
# The exports are made with this checkout's .venv (or $PYTHON). Exit: 0 no failure; 1 a check failed or
# errored; 2 bad usage; 3 the validator could not be installed (no network, no index).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PYTHON:-$ROOT/.venv/bin/python}
VENV=${FOCUS_VALIDATOR_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/openai-cost-tui/focus-validator-1.0.0}
OVERRIDES=$ROOT/ci/focus-overrides.yaml
say() { echo "focus-validate: $*"; }

venv_ok() {
  "$VENV/bin/python" - 2>/dev/null <<'EOF'
from importlib.metadata import version
import focus_validator.main  # noqa: F401  (imports pandera, pandas, multimethod: the whole stack)
assert version("focus-validator") == "1.0.0"
EOF
}

install() {
  venv_ok && return 0
  say "installing focus-validator 1.0.0 into $VENV"
  rm -rf "$VENV"
  mkdir -p "$(dirname "$VENV")"
  if ! { python3 -m venv "$VENV" \
         && "$VENV/bin/pip" install -q --disable-pip-version-check focus-validator==1.0.0 'multimethod<1.11'; } \
       >"$VENV.log" 2>&1 || ! venv_ok; then
    say "could not install focus-validator 1.0.0 (no network or no package index?); last lines of $VENV.log:"
    tail -n 5 "$VENV.log" | sed 's/^/  /'
    rm -rf "$VENV"
    return 3
  fi
}

if [ "${1:-}" = "--install" ]; then
  install || exit $?
  say "validator ready in $VENV"
  exit 0
fi
case "${1:-}" in -*) echo "usage: ci/focus-validate.sh [--install | FILE.csv ...]" >&2; exit 2 ;; esac

install || exit $?
PKG=$("$VENV/bin/python" -c 'import focus_validator, os; print(os.path.dirname(os.path.dirname(focus_validator.__file__)))')

WORK=$(mktemp -d "${TMPDIR:-/tmp}/focus-validate.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
files=()
if [ $# -eq 0 ]; then
  say "exporting the demo organization and the synthetic store"
  PYTHONPATH=$ROOT "$PY" -m tests.test_focus_validator samples "$WORK"
  files=("$WORK/demo.csv" "$WORK/synthetic.csv")
else
  for f in "$@"; do files+=("$(cd "$(dirname "$f")" && pwd)/$(basename "$f")"); done
fi

failed=0
for f in "${files[@]}"; do
  name=$(basename "$f")
  xml="$WORK/$name.xml"
  # --output-type unittest: a JUnit report with every check's status (the console output lists failures only)
  if ! (cd "$PKG" && "$VENV/bin/focus-validator" --data-file "$f" --validate-version 1.0 \
          --override-file "$OVERRIDES" --output-type unittest --output-destination "$xml") >"$WORK/$name.log" 2>&1; then
    say "$name: the validator crashed:"; tail -n 20 "$WORK/$name.log" | sed 's/^/  /'; failed=1; continue
  fi
  if ! "$VENV/bin/python" - "$xml" "$name" "$OVERRIDES" <<'EOF'
import sys
import xml.etree.ElementTree as ET

import yaml

xml, name, overrides = sys.argv[1:]
root = ET.parse(xml).getroot()
tests, failures, errors, skipped = (int(root.get(k)) for k in ("tests", "failures", "errors", "skipped"))
cases = [(c.get("name").split(" :: ")[0], c) for c in root.iter("testcase")]
bad = [(n, c) for n, c in cases if c.find("failure") is not None or c.find("error") is not None]
skips = sorted(n for n, c in cases if c.find("skipped") is not None)
wanted = sorted(yaml.safe_load(open(overrides))["overrides"])
print(f"focus-validate: {name}: {tests} checks: {tests - failures - errors - skipped} passed, {skipped} skipped "
      f"(pre-release column names), {failures} failed, {errors} errored")
for n, c in bad:
    detail = c.find("failure") if c.find("failure") is not None else c.find("error")
    print(f"  {n}: {detail.get('message')}")
if skips != wanted:
    print(f"  skipped {skips}, but ci/focus-overrides.yaml lists {wanted}")
sys.exit(1 if bad or failures or errors or skips != wanted or tests == 0 else 0)
EOF
  then
    failed=1
    say "$name: the validator's own account of the failures:"
    (cd "$PKG" && "$VENV/bin/focus-validator" --data-file "$f" --validate-version 1.0 --override-file "$OVERRIDES") \
      2>&1 | sed 's/^/  /' | head -n 60 || true
  fi
  if PYTHONPATH=$ROOT "$PY" -m tests.test_focus_validator check "$f"; then
    say "$name: what the skipped rules check, under the published names: ok"
  else
    failed=1
  fi
done

if [ "$failed" -ne 0 ]; then say "FAILED"; exit 1; fi
say "${#files[@]} file(s), no failure"
