"""Crashes and concurrency: kill -9 mid-transaction, readers during a sustained writer."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta

from openai_cost_tui.core.dates import today_utc
from openai_cost_tui.fake.api import FakeAdminApi
from openai_cost_tui.fake.faults import Fault
from openai_cost_tui.fake.org import FakeOrg
from openai_cost_tui.fake.server import serve_in_thread
from openai_cost_tui.store.store import NewConnection, Store
from tests.support.expect import atto
from tests.support.readers import total_readers

WRITER = r"""
import sys
from datetime import date
from openai_cost_tui.core.models import CostRow
from openai_cost_tui.store.store import Store
s = Store(sys.argv[1])
def rows(amount):
    return [CostRow(date(2026, 5, 1 + i % 28), f"proj_{i % 97}", f"gpt-4o-2024-08-06, input {i % 13}", f"key_{i}",
                    "usd", amount, None, None) for i in range(30000)]
a, b = rows(10**18), rows(2 * 10**18)
n = 0
while True:
    s.replace_window(1, date(2026, 5, 1), date(2026, 5, 28), a if n % 2 else b)
    n += 1
    print(n, flush=True)
"""


def new_store(path) -> Store:
    s = Store(str(path))
    s.add_connection(NewConnection("Acme", "https://api.openai.com/v1", "env", "K", date(2026, 1, 1)))
    return s


def test_kill_9_inside_the_replace_transaction_leaves_one_whole_version(tmp_path) -> None:
    path = tmp_path / "costs.db"
    new_store(path).close()
    for delay in (0.05, 0.2, 0.45, 0.8):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True)
        proc.stdout.readline()  # one window committed
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        s = Store(str(path))
        try:
            assert s.integrity_ok()
            assert s.cost_count() == 30000
            assert s.total() in (30000 * 10**18, 60000 * 10**18)  # all of A or all of B, never a mix
        finally:
            s.close()


def test_readers_never_see_a_half_replaced_window(tmp_path) -> None:
    path = tmp_path / "costs.db"
    writer_store = new_store(path)
    from openai_cost_tui.core.models import CostRow

    def rows(amount: int) -> list[CostRow]:
        return [CostRow(date(2026, 5, 1 + i % 28), f"p{i % 50}", f"li {i % 7}", f"k{i}", "usd", amount)
                for i in range(5000)]

    versions = [rows(10**18), rows(3 * 10**18)]
    writer_store.replace_window(1, date(2026, 5, 1), date(2026, 5, 28), versions[0])
    # A count of replacements, not a time budget: on a loaded machine each just takes longer. After each
    # one the readers must have read again (so reads fall before, during and after every replacement).
    replacements = 8
    with total_readers(str(path), 3) as (seen, errors):
        for n in range(1, replacements + 1):
            before = len(seen)
            writer_store.replace_window(1, date(2026, 5, 1), date(2026, 5, 28), versions[n % 2])
            deadline = time.monotonic() + 60
            while len(seen) < before + 3 and not errors and time.monotonic() < deadline:
                time.sleep(0.005)
            assert len(seen) >= before + 3 or errors, f"the readers stalled after replacement {n}"
    writer_store.close()
    assert not errors, errors
    assert set(seen) <= {5000 * 10**18, 15000 * 10**18}  # whole versions only, never a mix
    assert set(seen) == {5000 * 10**18, 15000 * 10**18}  # and the readers did see the windows change


def test_kill_9_during_a_real_sync_then_the_next_sync_converges(tmp_path) -> None:
    org = FakeOrg(21, size="small")
    api = FakeAdminApi(org)
    since = today_utc() - timedelta(days=200)
    env = {**os.environ, "OPENAI_COST_TUI_HOME": str(tmp_path), "K": "sk-admin-" + "k" * 40}
    with serve_in_thread(api) as base_url:
        base = [sys.executable, "-m", "openai_cost_tui"]
        subprocess.run([*base, "connections", "add", "--description", "Acme", "--key-env", "K", "--base-url",
                        base_url, "--since", since.isoformat()], env=env, check=True, capture_output=True)
        api.faults.add(Fault("slow", path="costs", delay=0.3, times=0))
        for delay in (0.5, 1.0):
            proc = subprocess.Popen([*base, "sync"], env=env, stderr=subprocess.DEVNULL)
            time.sleep(delay)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            s = Store(str(tmp_path / "costs.db"))
            assert s.integrity_ok()
            s.close()
        done = subprocess.run([*base, "sync"], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        out = subprocess.run([*base, "report", "--rows", "service", "--from", since.isoformat(), "--format",
                              "json"], env=env, capture_output=True, text=True, check=True)
    assert atto(json.loads(out.stdout)["total"]) == atto(org.total(since, today_utc() + timedelta(days=1)))
