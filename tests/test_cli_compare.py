import json
import os
import subprocess
import sys

import pytest

SWEEP = """
name = "tiny"
seeds = 2

[[models]]
model = "sk"
n = [5, 6]

[[backends]]
name = "exact"

[[backends]]
name = "pt"
options = { num_reads = 2, num_sweeps = 100 }
"""


def run(*args, cwd=None, env=None):
    """The real entry point in a subprocess: exit code, stdout, stderr."""
    proc = subprocess.run(
        [sys.executable, "-m", "qspin.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "QSPIN_PROGRESS": "0", **(env or {})},
    )
    return proc.returncode, proc.stdout, proc.stderr


def test_compare_resume_json_and_plot_on_one_store(tmp_path):
    sweep, db = tmp_path / "sweep.toml", tmp_path / "runs.db"
    sweep.write_text(SWEEP)
    code, out, err = run("compare", str(sweep), "--store", str(db), "--workers", "1")
    assert code == 0, err
    assert "qspin compare: tiny" in out and "sk-gaussian-n6-s0" in out and "8 rows: 8 run now" in out
    code, out, _ = run("compare", str(sweep), "--store", str(db), "--workers", "1", "--json")
    summary = json.loads(out)
    assert code == 0 and len(summary) == 4 and {r["backend"] for r in summary} == {"exact", "pt"}
    assert all(r["residual_energy_per_spin"] == 0 and r["ground_truth"] == "exact" for r in summary)
    code, out, _ = run("compare", str(sweep), "--store", str(db), "--rows", "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 8 and len({r["key"] for r in rows}) == 8 and "pq" not in rows[0]
    code, out, _ = run("compare", str(sweep), "--store", str(db), "--rows")
    assert code == 0 and "8 rows: 0 run now, 8 from" in out
    code, out, err = run("plot", "--store", str(db), "-o", str(tmp_path / "figs"), "-f", "png", "-f", "svg")
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "figs").iterdir()) == sorted(
        f"{name}.{ext}"
        for name in (
            "residual_vs_n",
            "tts_vs_n",
            "success_by_backend",
            "approximation_vs_depth",
            "overlap_distribution",
        )
        for ext in ("png", "svg")
    )


def test_failed_rows_exit_1(tmp_path, isolated_dwave_config):
    (tmp_path / "backends.toml").write_text('[backends.qpu]\nkind = "dwave"\nfallback = false\n')
    (tmp_path / "sweep.toml").write_text(SWEEP.replace('name = "exact"', 'name = "qpu"'))
    code, out, err = run("compare", "sweep.toml", "--workers", "1", "--rows", cwd=tmp_path)
    assert code == 1 and "Traceback" not in err
    assert "failed" in out and "BackendUnavailable" in out and "4 failed" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (("compare", "missing.toml"), "missing.toml: cannot read"),
        (("compare", "bad.toml"), "bad.toml: models[0].n: must be an integer >= 1"),
        (("compare", "good.toml", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"), "exclude each other"),
        (("compare", "good.toml", "--workers", "0"), "--workers must be at least 1"),
        (("plot",), "no results store"),
        (("plot", "--store", "nothing.db"), "no such store"),
        (("plot", "--store", "empty.db"), "holds no compare results"),
        (("plot", "--store", "empty.db", "-f", "gif"), "--format must be png or svg"),
    ],
)
def test_bad_input_is_one_line_exit_2(tmp_path, args, message):
    (tmp_path / "bad.toml").write_text(SWEEP.replace("n = [5, 6]", "n = 0"))
    (tmp_path / "good.toml").write_text(SWEEP)
    from qspin import JobStore

    JobStore(tmp_path / "empty.db").close()
    code, out, err = run(*args, cwd=tmp_path, env={"QSPIN_STORE": ""})
    assert code == 2 and message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.slow
def test_scheduler_runs_on_a_dask_cluster(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    sweep, db = tmp_path / "sweep.toml", tmp_path / "runs.db"
    sweep.write_text(SWEEP)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cl:
        code, out, err = run("compare", str(sweep), "--store", str(db), "--scheduler", cl.scheduler_address, "--json")
    assert code == 0, err
    assert len(json.loads(out)) == 4


@pytest.mark.slow
def test_unreachable_scheduler_exit_3(tmp_path):
    pytest.importorskip("dask.distributed")
    (tmp_path / "sweep.toml").write_text(SWEEP)
    code, _, err = run("compare", "sweep.toml", "--scheduler", "tcp://127.0.0.1:9", cwd=tmp_path)
    assert code == 3 and "cannot reach the Dask scheduler" in err and "Traceback" not in err
