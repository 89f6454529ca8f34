import json
import subprocess
import sys

import pytest

import qspin


def run(*args, cwd=None):
    """The real entry point in a subprocess: exit code, stdout, stderr."""
    proc = subprocess.run(
        [sys.executable, "-m", "qspin.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**__import__("os").environ, "QSPIN_PROGRESS": "0"},
    )
    return proc.returncode, proc.stdout, proc.stderr


def test_generate_solve_round_trip(tmp_path):
    out = tmp_path / "sk.json"
    code, stdout, _ = run("generate", "sk", "10", "-o", str(out), "--seed", "4")
    assert code == 0 and "10 spins" in stdout
    assert qspin.load(out) == qspin.models.sherrington_kirkpatrick(10, seed=4)
    code, stdout, _ = run("solve", str(out), "--json", "-p", "num_levels=2", "--seed", "1")
    result = json.loads(stdout)
    assert code == 0 and result["best_energy"] == pytest.approx(qspin.solve(qspin.load(out)).best_energy)


@pytest.mark.parametrize(
    "args, code, message",
    [
        (("solve", "missing.json"), 2, "cannot read missing.json"),
        (("generate", "ea", "4y4", "-o", "x.json"), 2, "shape must look like"),
        (("nonsense",), 2, "No such command"),
    ],
)
def test_errors_are_one_line_with_meaningful_codes(tmp_path, args, code, message):
    rc, _, stderr = run(*args, cwd=tmp_path)
    assert rc == code and message in stderr and "Traceback" not in stderr


def test_unknown_parameter_and_store(tmp_path):
    p = tmp_path / "ea.json"
    assert run("generate", "ea", "3x3", "-o", str(p), "--couplings", "pm1", "--seed", "2")[0] == 0
    rc, _, stderr = run("solve", str(p), "-p", "bogus=1")
    assert rc == 2 and "does not take 'bogus'" in stderr
    db = tmp_path / "jobs.db"
    assert run("solve", str(p), "--store", str(db))[0] == 0
    rc, stdout, _ = run("jobs", "list", "--store", str(db), "--json")
    (row,) = json.loads(stdout)
    assert rc == 0 and row["status"] == "done" and row["backend"] == "exact"
    rc, stdout, _ = run("jobs", "fetch", row["id"][:8], "--store", str(db), "--json")
    assert rc == 0 and json.loads(stdout)["best_energy"] == qspin.solve(qspin.load(p)).best_energy


def test_backends_lists_profiles_and_reasons(tmp_path):
    (tmp_path / "backends.toml").write_text('[backends.quick]\nkind = "exact"\n')
    rc, stdout, _ = run("backends", "--json", cwd=tmp_path)
    rows = {r["name"]: r for r in json.loads(stdout)}
    assert rc == 0 and rows["quick"]["kind"] == "exact" and "dwave" in rows
    (tmp_path / "backends.toml").write_text('[backends.quick]\nkind = "nope"\n')
    rc, _, stderr = run("backends", cwd=tmp_path)
    assert rc == 2 and "unknown backend kind 'nope'" in stderr
