"""The annealer path offline: dwave-system's mock QPU, fallback on real failure paths, the store."""

import http.server
import socket
import threading
import time
import warnings

import numpy as np
import pytest

import qspin
from qspin import BackendError, BackendUnavailable, ParameterError
from qspin.models import edwards_anderson, sherrington_kirkpatrick
from qspin.solvers import embedding as emb

pytestmark = pytest.mark.usefixtures("isolated_dwave_config")


@pytest.mark.parametrize("topology", ["pegasus", "zephyr"])
def test_mock_qpu_on_sk_and_ea(topology):
    for problem in (sherrington_kirkpatrick(12, seed=4), edwards_anderson((4, 4), field=0.1, seed=5)):
        ss = qspin.solve(problem, "dwave-mock", seed=1, num_reads=40, topology=topology)
        e0 = qspin.solve(problem, "exact").best_energy
        assert ss.info["simulated"] is True  # never presented as QPU output
        assert ss.num_reads == 40 and np.allclose(ss.energies, problem.energies(ss.spins))
        stats = ss.info["embedding"]
        assert stats["num_chains"] == problem.num_spins and stats["max_chain_length"] >= 1
        assert len(ss.info["chain_break_fraction"]) == len(ss)
        assert 0 <= ss.info["chain_break_fraction_mean"] <= 1
        assert ss.info["chain_strength"] > 0
        assert {"embedding_s", "unembedding_s", "qpu_access_s", "qpu_programming_s"} <= set(ss.info["timing"])
        assert (ss.best_energy - e0) / problem.num_spins < 0.05  # close to exact on small problems


def test_mock_is_reproducible_and_embeds_once():
    p = sherrington_kirkpatrick(10, seed=8)
    q = p.replace(J=-p.coupling_matrix())  # same structure, other couplings
    a = qspin.solve(p, "dwave-mock", seed=3, num_reads=30)
    b = qspin.solve(p, "dwave-mock", seed=3, num_reads=30)
    assert np.array_equal(a.spins, b.spins) and np.array_equal(a.counts, b.counts)
    c = qspin.solve(q, "dwave-mock", seed=4, num_reads=30)
    assert a.info["embedding"]["cached"] in (False, "disk") and c.info["embedding"]["cached"] == "memory"
    emb._MEMORY.clear()
    d = qspin.solve(q, "dwave-mock", seed=4, num_reads=30)
    assert d.info["embedding"]["cached"] == "disk"


def test_spin_reversal_transforms_and_fixed_chain_strength():
    p = edwards_anderson((3, 4), couplings="pm1", field=0.3, seed=2)
    ss = qspin.solve(p, "dwave-mock", seed=2, num_reads=30, num_spin_reversal_transforms=3, chain_strength=2.5)
    assert len(ss.info["vendor_problem_ids"]) == 3 and ss.num_reads == 30
    assert ss.info["chain_strength"] == 2.5
    assert np.allclose(ss.energies, p.energies(ss.spins))
    assert ss.best_energy == pytest.approx(qspin.solve(p, "exact").best_energy)


def test_labelled_problem_round_trip():
    import dimod

    bqm = dimod.BinaryQuadraticModel({"a": 0.5, "b": -0.2, "c": 0.1}, {("a", "b"): 1.0, ("b", "c"): -1.0}, 0.0, "SPIN")
    p = qspin.IsingProblem.from_bqm(bqm)
    ss = qspin.solve(p, "dwave-mock", seed=1, num_reads=10)
    d = ss.to_dimod()
    assert np.allclose(bqm.energies(d), d.record.energy)


@pytest.mark.parametrize(
    "params",
    [
        {"num_reads": 0},
        {"chain_strength": -1.0},
        {"chain_break_method": "vote"},
        {"topology": "chimera-9000"},
        {"annealing_time": 0},
        {"solver_parameters": 3},
        {"solver_parameters": {"no_such_qpu_parameter": 1}},
        {"warp": 9},
    ],
)
def test_mock_bad_parameters(params):
    with pytest.raises(ParameterError):
        qspin.solve(sherrington_kirkpatrick(5, seed=1), "dwave-mock", **params)


def test_no_credentials_falls_back_to_ocean_sa(tmp_path):
    p = sherrington_kirkpatrick(10, seed=1)
    with pytest.warns(RuntimeWarning, match="falling back to 'ocean-sa'"):
        ss = qspin.solve(p, "dwave", seed=3, num_reads=20, annealing_time=5.0)
    fb = ss.info["fallback"]
    assert fb["from"] == "dwave" and fb["to"] == "ocean-sa" and "no D-Wave credentials" in fb["reason"]
    assert fb["dropped_parameters"] == ["annealing_time"]
    assert ss.info["backend"] == "ocean-sa" and ss.info["requested_backend"] == "dwave"
    assert ss.num_reads == 20
    with pytest.raises(BackendUnavailable, match="no D-Wave credentials"):
        qspin.solve(p, "dwave", fallback=False)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the socket is: connections are refused


def test_closed_local_port_falls_back_quickly_and_no_token_is_stored(tmp_path, monkeypatch):
    token = "qspin-test-token-do-not-store-5f3a"
    monkeypatch.setenv("DWAVE_API_TOKEN", token)
    monkeypatch.setenv("DWAVE_API_ENDPOINT", f"http://127.0.0.1:{_closed_port()}/sapi/v2/")
    db = tmp_path / "jobs.db"
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ss = qspin.solve(
            sherrington_kirkpatrick(8, seed=2), "dwave", seed=1, num_reads=10, store=db, request_timeout=2.0
        )
    assert time.perf_counter() - t0 < 20  # seconds, not minutes
    assert ss.info["fallback"]["to"] == "ocean-sa" and "unreachable" in ss.info["fallback"]["reason"]
    (record,) = qspin.jobs(db)
    assert record.status == "done" and record.info["fallback"]["from"] == "dwave"
    for path in tmp_path.glob("jobs.db*"):  # the database and its WAL
        assert token.encode() not in path.read_bytes()


class _Reject401(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's naming
        body = b'{"error_code": 401, "error_msg": "Invalid token or access denied"}'
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_rejected_token_is_an_error_not_a_fallback(monkeypatch):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Reject401)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv("DWAVE_API_TOKEN", "a-wrong-token")
        monkeypatch.setenv("DWAVE_API_ENDPOINT", f"http://127.0.0.1:{server.server_port}/sapi/v2/")
        with pytest.raises(BackendError, match="rejected the API token") as err:
            qspin.solve(sherrington_kirkpatrick(6, seed=1), "dwave", num_reads=5, request_timeout=3.0)
        assert not isinstance(err.value, BackendUnavailable)
        assert "a-wrong-token" not in str(err.value)
    finally:
        server.shutdown()


def test_hybrid_falls_back_without_credentials():
    with pytest.warns(RuntimeWarning):
        ss = qspin.solve(edwards_anderson((4, 4), seed=1), "dwave-hybrid", seed=1, time_limit=3)
    assert ss.info["fallback"]["from"] == "dwave-hybrid"


def test_mock_job_records_vendor_id_and_embedding(tmp_path):
    db = tmp_path / "jobs.db"
    qspin.solve(sherrington_kirkpatrick(6, seed=1), "dwave-mock", seed=1, num_reads=5, store=db)
    (record,) = qspin.jobs(db)
    assert record.vendor_job_id.startswith("mock-") and set(record.context["embedding"]) == {str(k) for k in range(6)}
