import subprocess
import sys

HEAVY = ("qiskit", "qiskit_aer", "pennylane", "dwave.system", "dimod", "numba", "scipy", "networkx", "pandas")


def test_import_qspin_is_cheap():
    code = f"import sys, qspin; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"import qspin pulled in: {out}"


def test_public_names_resolve():
    import qspin

    for name in qspin.__all__:
        assert getattr(qspin, name) is not None
    assert "exact" in qspin.list_backends()
