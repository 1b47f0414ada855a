"""The benchmark report says what else was running (issue 15: "the report says which machine and what else was
running"): other processes busy on the CPU while it measured, sampled from /proc."""

import subprocess
import sys
from pathlib import Path

import pytest

from bench.report import busy_processes, machine_facts

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="samples Linux's /proc")


def test_a_busy_process_is_named_with_its_share():
    code = "# traza-bench-spinner\nimport time\nend = time.time() + 20\nwhile time.time() < end: pass"
    spinner = subprocess.Popen([sys.executable, "-c", code])
    try:
        shown = busy_processes(seconds=1.0)
    finally:
        spinner.kill()
        spinner.wait()
    assert "traza-bench-spinner" in shown and "%)" in shown


def test_the_facts_name_the_load_at_both_ends_and_the_other_processes():
    facts = machine_facts((1.5, 1.0, 0.5), "none")
    assert facts["load average at the start (1/5/15 min)"] == "1.50 / 1.00 / 0.50"
    assert facts["other processes using the CPU at the start"] == "none"
    assert "load average at the end (1/5/15 min)" in facts and "other processes using the CPU at the end" in facts
    assert facts["cpus"] and facts["cpu"]


def _measured(ms: float, n: int = 20):
    from collections import Counter

    from bench.measure import Measurement

    return Measurement(samples=[ms / 1000] * n, statuses=Counter({200: n}), queries=[3] * n)


def test_a_page_is_judged_on_its_own_work_once_the_fixed_cost_is_measured():
    """Each side's empty signed-in page comes off its p95 (the fixed cost has its own budget); without that row in
    the run, the plain ratio is judged."""
    from bench.pages import Page
    from bench.report import Row

    light = Page("light page", "/x", "management", floor=lambda user_id: "")
    row = Row(light, _measured(6.0), _measured(3.0), [])  # 2x the floor in all
    assert row.own_ratio is None and row.reasons == ["> 1.5× floor"]
    row.shells = (2.0, 0.5)  # Traza's empty page 2 ms, the floor's 0.5 ms: own work 4 ms vs 2.5 ms
    assert round(row.own_ratio, 2) == 1.6 and row.reasons == ["own work > 1.5× the floor's"]
    row.shells = (2.5, 0.5)  # 3.5 vs 2.5 ms
    assert round(row.own_ratio, 2) == 1.4 and row.verdict == "ok" and "1.4×" in row.cells()
    tiny = Row(light, _measured(2.4), _measured(0.6), [], shells=(2.0, 0.5))  # the floor's own work: noise
    assert round(tiny.own_ratio, 2) == 0.8  # 0.4 ms over at least 0.5 ms
    fixed = Page("fixed cost", "/confirmar", "management", floor=lambda user_id: "", extra_ms=3.0)
    assert Row(fixed, _measured(2.0), _measured(0.5), [], shells=(2.0, 0.5)).own_ratio is None


def test_a_second_run_waits_for_the_one_building_the_dataset(tmp_path, monkeypatch):
    """Two runs at once build the cached file once: the second waits on the lock, then reuses what the first built
    (here the build itself is replaced by a record of who was inside it)."""
    import threading
    import time

    from bench import data

    monkeypatch.setattr(data, "CACHE_DIR", tmp_path)
    inside = []

    def build(scale, rebuild, log):
        inside.append(("in", threading.current_thread().name))
        time.sleep(0.3)
        inside.append(("out", threading.current_thread().name))
        return scale

    monkeypatch.setattr(data, "_ensure_dataset", build)
    runs = [threading.Thread(target=data.ensure_dataset, args=(0.5,), kwargs={"log": lambda text: None}, name=name)
            for name in ("first", "second")]
    for run in runs:
        run.start()
        time.sleep(0.05)
    for run in runs:
        run.join()
    assert inside == [("in", "first"), ("out", "first"), ("in", "second"), ("out", "second")]
    assert (tmp_path / "bench-0.5.lock").exists()
