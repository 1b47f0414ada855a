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
