"""The FOCUS export against the FinOps Foundation's validator (focus-validator 1.0.0, ci/focus-validate.sh),
and our own checks of what the rules that script skips would have checked under the published names.

The validator's "1.0" rule set still names four columns by their pre-release ids (Provider, Publisher,
InvoiceIssuer, ResourceID) and tests SkuPriceId against a pre-release ``ChargeType`` column;
ci/focus-overrides.yaml skips exactly those rules. ``published_name_problems`` checks the same things on
the published columns, so skipping them loses nothing.

Also a helper for the script: ``python -m tests.test_focus_validator samples DIR`` writes demo.csv and
synthetic.csv; ``... check FILE...`` runs the published-name checks (exit 1 on a problem).
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "ci" / "focus-validate.sh"
OVERRIDES = ROOT / "ci" / "focus-overrides.yaml"
DEMO_NOW = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)  # the demo is generated up to this moment

# The pre-release column ids of the validator's "1.0" rule set, and the published FOCUS column for each.
PRE_RELEASE = {"Provider": "ProviderName", "Publisher": "PublisherName", "InvoiceIssuer": "InvoiceIssuerName",
               "ResourceID": "ResourceId", "ChargeType": "ChargeCategory"}
SKIPPED_RULES = {
    "Provider_Required", "Provider_IsString", "Provider_NotNull",
    "Publisher_Required", "Publisher_IsString", "Publisher_NotNull",
    "InvoiceIssuer_Required", "InvoiceIssuer_IsString", "InvoiceIssuer_NotNull",
    "ResourceID_Required", "ResourceID_IsString", "ResourceID_Nullable",
    "SkuPriceId_Nullable",
}


def published_name_problems(rows: list[dict[str, str]], columns: list[str]) -> list[str]:
    """What each skipped rule checks, on the published column (a CSV's rows, "" = null)."""
    problems = []
    for old in PRE_RELEASE:
        if old in columns:
            problems.append(f"the pre-release column {old} is in the export (the published one is {PRE_RELEASE[old]})")
    # Provider_*, Publisher_*, InvoiceIssuer_*: Required, IsString, NotNull
    for column in ("ProviderName", "PublisherName", "InvoiceIssuerName"):
        if column not in columns:
            problems.append(f"{column} is missing")
            continue
        nulls = [i for i, r in enumerate(rows, 2) if r[column] == ""]
        if nulls:
            problems.append(f"{column} is null on {len(nulls)} row(s), first at line {nulls[0]}")
    # ResourceID_*: Required, IsString, Nullable (a CSV cell is a string or empty: nothing more to check)
    if "ResourceId" not in columns:
        problems.append("ResourceId is missing")
    # SkuPriceId_Nullable: not null when ChargeCategory is Usage or Purchase and ChargeClass is not Correction
    missing = [c for c in ("SkuPriceId", "ChargeCategory", "ChargeClass") if c not in columns]
    problems += [f"{column} is missing" for column in missing]
    if not missing:
        bad = [i for i, r in enumerate(rows, 2) if r["ChargeCategory"] in ("Usage", "Purchase")
               and r["ChargeClass"] != "Correction" and r["SkuPriceId"] == ""]
        if bad:
            problems.append(f"SkuPriceId is null on {len(bad)} Usage/Purchase row(s), first at line {bad[0]}")
    return problems


def check_file(path: Path) -> list[str]:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        return published_name_problems(rows, list(reader.fieldnames or ()))


def write_samples(folder: Path) -> list[Path]:
    """demo.csv (the demo organizations, every day they hold) and synthetic.csv (with virtual tags), as a
    user gets them."""
    from openai_cost_tui.core.clock import fixed_clock
    from openai_cost_tui.services import focus
    from openai_cost_tui.services.context import open_demo
    from tests.test_focus_export import SYN_END, SYN_START, build_synthetic, sample_tags

    folder.mkdir(parents=True, exist_ok=True)
    ctx = open_demo(clock=fixed_clock(DEMO_NOW))
    try:
        results = ctx.engine.sync_all(ctx.store.connections())
        assert all(r.ok for r in results), [r.error for r in results]
        start = min(c.covered_from for c in ctx.store.connections())
        focus.write_file(focus.focus_rows(ctx.store, start, ctx.today), folder / "demo.csv")
    finally:
        ctx.close()
    store = build_synthetic(folder)
    try:
        store.save_tags(sample_tags())  # virtual tags (one that splits) in Tags
        focus.write_file(focus.focus_rows(store, SYN_START, SYN_END), folder / "synthetic.csv")
    finally:
        store.close()
        for extra in ("", "-wal", "-shm"):
            (folder / f"synthetic.db{extra}").unlink(missing_ok=True)
    return [folder / "demo.csv", folder / "synthetic.csv"]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    from tests.test_focus_export import build_synthetic

    store = build_synthetic(tmp_path_factory.mktemp("focus-validator-synthetic"))
    yield store
    store.close()


# -- our checks of the skipped rules ----------------------------------------------------------------------


def test_the_overrides_skip_exactly_the_pre_release_rules() -> None:
    listed = yaml.safe_load(OVERRIDES.read_text(encoding="utf-8"))["overrides"]
    assert sorted(listed) == sorted(SKIPPED_RULES) and len(listed) == len(set(listed))
    text = OVERRIDES.read_text(encoding="utf-8")
    for old, new in PRE_RELEASE.items():  # each group says why
        assert f'"{old}"' in text and new in text


@pytest.mark.parametrize("which", ["synced", "synthetic"])
def test_the_skipped_rules_hold_under_the_published_names(which: str, request) -> None:
    from tests.test_focus_export import SYN_END, SYN_START, SYNC_START, SYNC_TODAY, export_csv

    store = request.getfixturevalue(which)
    start, end = (SYNC_START, SYNC_TODAY) if which == "synced" else (SYN_START, SYN_END)
    reader = csv.DictReader(io.StringIO(export_csv(store, start, end)))
    rows = list(reader)
    assert rows
    assert published_name_problems(rows, list(reader.fieldnames)) == []
    assert {r["ProviderName"] for r in rows} == {r["PublisherName"] for r in rows} == {"OpenAI"}
    assert {r["InvoiceIssuerName"] for r in rows} == {"OpenAI"}
    usage = [r for r in rows if r["ChargeCategory"] == "Usage"]
    assert usage and all(r["SkuPriceId"] == r["SkuId"] == r["x_LineItem"] for r in usage)


def test_the_published_name_checks_catch_what_they_should(synthetic) -> None:
    from tests.test_focus_export import SYN_END, SYN_START, export_csv

    reader = csv.DictReader(io.StringIO(export_csv(synthetic, SYN_START, SYN_END)))
    rows, columns = list(reader), list(reader.fieldnames)
    usage = next(i for i, r in enumerate(rows) if r["ChargeCategory"] == "Usage")
    broken = [dict(r) for r in rows]
    broken[usage]["SkuPriceId"] = ""
    broken[-1]["PublisherName"] = ""
    problems = published_name_problems(broken, columns)
    assert any("SkuPriceId is null on 1" in p for p in problems) and any("PublisherName is null" in p for p in problems)
    credit = next(i for i, r in enumerate(rows) if r["ChargeCategory"] == "Credit")
    fine = [dict(r) for r in rows]
    fine[credit]["SkuPriceId"] = ""  # MAY be null on a credit
    assert published_name_problems(fine, columns) == []
    assert published_name_problems(rows, [*columns, "Provider"]) != []
    assert published_name_problems(rows, [c for c in columns if c != "ResourceId"]) == ["ResourceId is missing"]


# -- the Foundation's validator ---------------------------------------------------------------------------

INSTALL_SECONDS = 170
VALIDATE_SECONDS = 175


def _run(args: list[str], timeout: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(SCRIPT), *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHON": sys.executable})


@pytest.fixture(scope="module")
def validator() -> None:
    """The validator's virtualenv (made once, then reused), or a skip saying why it cannot be had."""
    if shutil.which("bash") is None or shutil.which("python3") is None:
        pytest.skip("focus-validator needs bash and python3 to install")
    try:
        done = _run(["--install"], INSTALL_SECONDS)
    except subprocess.TimeoutExpired:
        pytest.skip(f"focus-validator 1.0.0 could not be installed within {INSTALL_SECONDS} s (slow or no network)")
    if done.returncode == 3:
        pytest.skip("focus-validator 1.0.0 could not be installed (no network or package index): "
                    + (done.stdout.strip().splitlines() or [""])[-1])
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.timeout(VALIDATE_SECONDS + 20)
def test_the_foundations_validator_accepts_the_demo_and_synthetic_exports(validator) -> None:
    started = time.monotonic()
    done = _run([], VALIDATE_SECONDS)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    for name in ("demo.csv", "synthetic.csv"):
        line = next(x for x in out.splitlines() if x.startswith(f"focus-validate: {name}: ") and "checks" in x)
        assert "13 skipped" in line and " 0 failed, 0 errored" in line, line
        assert f"focus-validate: {name}: what the skipped rules check, under the published names: ok" in out
    assert "focus-validate: 2 file(s), no failure" in out
    assert time.monotonic() - started < VALIDATE_SECONDS


@pytest.mark.timeout(VALIDATE_SECONDS)
def test_the_validator_run_fails_on_a_broken_export(validator, synthetic, tmp_path: Path) -> None:
    from tests.test_focus_export import SYN_END, SYN_START, export_csv

    rows = list(csv.reader(io.StringIO(export_csv(synthetic, SYN_START, SYN_END))))
    drop = rows[0].index("BilledCost")
    currency = rows[0].index("BillingCurrency")
    rows[1][currency] = "XYZ"  # not an ISO 4217 code
    broken = [[c for i, c in enumerate(r) if i != drop] for r in rows]
    path = tmp_path / "broken.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(broken)
    done = _run([str(path)], VALIDATE_SECONDS - 10)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "BilledCost_Required" in done.stdout and "BillingCurrency_IsCurrencyCode" in done.stdout
    assert "FAILED" in done.stdout


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "samples":
        for path in write_samples(Path(argv[1])):
            print(f"focus-validate: wrote {path.name}")
        return 0
    if len(argv) >= 2 and argv[0] == "check":
        failed = False
        for name in argv[1:]:
            for problem in check_file(Path(name)):
                print(f"focus-validate: {Path(name).name}: {problem}")
                failed = True
        return 1 if failed else 0
    print("usage: python -m tests.test_focus_validator samples DIR | check FILE...", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
