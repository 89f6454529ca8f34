"""The IBM path offline: credentials, real failure paths (closed port, 400 from IAM, a silent
server), the fallback to Aer with the device's noise, local testing mode, job ids and fetch."""

import http.server
import json
import socket
import threading
import time
import warnings

import numpy as np
import pytest

import qspin
import qspin.qaoa as qaoa
from qspin import BackendError, BackendUnavailable, ParameterError
from qspin.models import sherrington_kirkpatrick
from qspin.qaoa import ibm
from qspin.store import JobStore

pytest.importorskip("qiskit_ibm_runtime")
pytest.importorskip("qiskit_aer")

TOKEN = "qspin-ibm-test-token-do-not-store-7c1e"
CRN = "crn:v1:bluemix:public:quantum-computing:us-east:a/0123456789abcdef:fedcba98-7654-3210::"


@pytest.fixture(autouse=True)
def isolated_ibm(tmp_path, monkeypatch):
    """No IBM environment variables and a home without a saved account."""
    for var in ("QISKIT_IBM_TOKEN", "QISKIT_IBM_URL", "QISKIT_IBM_INSTANCE", "QISKIT_IBM_CHANNEL", "IAM_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path


def point_at(monkeypatch, port: int, token: str = TOKEN) -> None:
    """Credentials in the environment, every IBM endpoint (IAM included) on a local port."""
    monkeypatch.setenv("QISKIT_IBM_TOKEN", token)
    monkeypatch.setenv("QISKIT_IBM_INSTANCE", CRN)
    monkeypatch.setenv("QISKIT_IBM_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("IAM_URL", f"http://127.0.0.1:{port}")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the socket is: connections are refused


def no_secret_in(tmp_path, *texts):
    for text in texts:
        assert TOKEN not in text
    for path in tmp_path.glob("*.db*"):  # a store and its WAL
        assert TOKEN.encode() not in path.read_bytes()


# --- credentials ----------------------------------------------------------------------------------


def test_no_credentials_is_reported_without_the_network():
    ok, reason = ibm.credentials_status()
    assert not ok and "no IBM Quantum credentials" in reason
    row = next(r for r in qspin.backend_status() if r["name"] == "qaoa-ibm")
    assert row["available"] is False and row["fallback"] == "qaoa-aer"
    with pytest.raises(BackendUnavailable, match="no IBM Quantum credentials"):
        ibm.connect(5.0)


def test_a_saved_account_is_found_and_its_token_never_shown():
    from qiskit_ibm_runtime import QiskitRuntimeService

    QiskitRuntimeService.save_account(token=TOKEN, instance=CRN, filename=ibm.account_file(), set_as_default=True)
    ok, reason = ibm.credentials_status()
    assert ok and "saved account" in reason and TOKEN not in reason
    assert ibm._scrub(f"boom {TOKEN} boom") == "boom *** boom"


# --- unreachable or rejected: fallback or error ---------------------------------------------------


def test_no_credentials_falls_back_to_aer_with_the_device_noise(tmp_path):
    problem = sherrington_kirkpatrick(6, seed=1)
    with pytest.warns(RuntimeWarning, match="falling back to 'qaoa-aer'"):
        ss = qspin.solve(problem, "qaoa-ibm", seed=3, reps=1, shots=300, device="ibm_nairobi", mode="batch")
    fb = ss.info["fallback"]
    assert fb["from"] == "qaoa-ibm" and fb["to"] == "qaoa-aer" and "no IBM Quantum credentials" in fb["reason"]
    assert fb["dropped_parameters"] == ["mode"]
    assert ss.info["backend"] == "qaoa-aer" and ss.info["requested_backend"] == "qaoa-ibm"
    assert ss.info["device"] == "fake_nairobi" and "fake_nairobi" in ss.info["noise"]
    assert ss.info["circuit"]["num_qubits"] == 7 and ss.info["circuit"]["two_qubit_gates"] > 0
    assert ss.num_reads == 300
    with pytest.raises(BackendUnavailable, match="no IBM Quantum credentials"):
        qspin.solve(problem, "qaoa-ibm", reps=1, device="ibm_nairobi", fallback=False)


def test_closed_local_port_falls_back_quickly_and_no_token_is_stored(tmp_path, monkeypatch):
    point_at(monkeypatch, _closed_port())
    db = tmp_path / "jobs.db"
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ss = qspin.solve(sherrington_kirkpatrick(5, seed=2), "qaoa-ibm", seed=1, reps=1, shots=200, store=db)
    assert time.perf_counter() - t0 < 30  # seconds, not minutes
    assert ss.info["fallback"]["to"] == "qaoa-aer" and "unreachable" in ss.info["fallback"]["reason"]
    assert ss.info["noise"] is None  # no device configured: the fallback is noise-free
    (record,) = qspin.jobs(db)
    assert record.status == "done" and record.info["fallback"]["from"] == "qaoa-ibm"
    no_secret_in(tmp_path, json.dumps(ss.info))


class _RejectKey(http.server.BaseHTTPRequestHandler):
    """IBM Cloud IAM's answer to an unknown API key."""

    def _answer(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b'{"errorCode": "BXNIM0415E", "errorMessage": "Provided API key could not be found."}'
        self.send_response(400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


def test_rejected_token_is_an_error_not_a_fallback(monkeypatch, tmp_path):
    server = http.server.HTTPServer(("127.0.0.1", 0), _RejectKey)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        point_at(monkeypatch, server.server_port)
        db = tmp_path / "jobs.db"
        with pytest.raises(BackendError, match="rejected the credentials") as err:
            qspin.solve(sherrington_kirkpatrick(5, seed=1), "qaoa-ibm", reps=1, request_timeout=10.0, store=db)
        assert not isinstance(err.value, BackendUnavailable)
        (record,) = qspin.jobs(db)
        assert record.status == "failed"
        no_secret_in(tmp_path, str(err.value), record.error or "")
    finally:
        server.shutdown()


def test_a_silent_service_is_bounded_by_request_timeout(monkeypatch):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # connections complete in the backlog; nothing ever answers
    try:
        point_at(monkeypatch, listener.getsockname()[1])
        t0 = time.perf_counter()
        with pytest.raises(BackendUnavailable, match="did not answer within 1 s"):
            qspin.solve(sherrington_kirkpatrick(5, seed=1), "qaoa-ibm", reps=1, request_timeout=1.0, fallback=False)
        assert time.perf_counter() - t0 < 10
    finally:
        listener.close()


# --- the whole path on a fake device (qiskit-ibm-runtime's local testing mode) --------------------


def test_local_testing_mode_runs_the_ibm_path(tmp_path):
    problem = sherrington_kirkpatrick(4, seed=5)
    db = tmp_path / "jobs.db"
    ss = qspin.solve(problem, "qaoa-ibm", seed=2, reps=1, shots=500, device="fake_manila", store=db)
    info = ss.info
    assert "fallback" not in info and info["backend"] == "qaoa-ibm"
    assert info["engine"] == "ibm" and info["device"] == "fake_manila" and info["simulated"] is True
    assert info["local_testing_mode"] is True and len(info["vendor_job_ids"]) == 1
    circuit = info["circuit"]
    assert circuit["num_qubits"] == 5 and circuit["two_qubit_gates"] >= 2 * problem.num_couplings
    assert circuit["depth"] > 0 and ss.num_reads == 500
    timing = info["timing"]
    assert {"optimize_s", "sample_s", "transpile_s", "queue_and_run_s", "queue_s", "device_s"} <= set(timing)
    # local testing mode: no queue, and the in-process simulation is the device time
    assert timing["queue_s"] == 0.0 and timing["device_s"] == timing["queue_and_run_s"] > 0
    (record,) = qspin.jobs(db)
    assert record.vendor == "ibm" and record.vendor_job_id == info["vendor_job_ids"][0]
    assert record.context["local"] is True and record.context["gammas"] == info["gammas"]
    again = qspin.solve(problem, "qaoa-ibm", seed=2, reps=1, shots=500, device="fake_manila")
    assert np.array_equal(again.spins, ss.spins) and np.array_equal(again.counts, ss.counts)


def test_local_testing_mode_runs_a_warm_start():
    problem = sherrington_kirkpatrick(4, seed=5)
    ground = qspin.solve(problem, "exact").best_spins
    ss = qspin.solve(
        problem, "qaoa-ibm", seed=2, reps=1, shots=500, device="fake_manila", warm_start=ground, warm_start_epsilon=0.05
    )
    assert "fallback" not in ss.info and ss.info["warm_start"] == {"spins": ground.tolist(), "epsilon": 0.05}
    # a start this close to the ground state keeps it likely even through the device's noise
    assert ss.info["ground_state_frequency"] > 0.5


def test_job_timing_reads_the_runtime_job_metrics():
    """job_timing on a finished job of qiskit-ibm-runtime's local runtime (its metrics() has the
    service's shape: ISO timestamps, usage with a status)."""
    from qiskit import QuantumCircuit
    from qiskit.transpiler.preset_passmanagers import generate_preset_pass_manager
    from qiskit_ibm_runtime.fake_provider import FakeManilaV2

    from qspin.qaoa.ibm import _sampler_class, job_timing

    qc = QuantumCircuit(2)
    qc.h(0)
    qc.measure_all()
    backend = FakeManilaV2()
    isa = generate_preset_pass_manager(backend=backend, optimization_level=1).run(qc)
    job = _sampler_class()(mode=backend).run([isa], shots=50)
    result = job.result()
    stamps = job.metrics()["timestamps"]
    queue, device = job_timing(job, result)
    assert 0.0 <= queue < 5.0 and 0.0 <= device < 5.0
    assert {"created", "running", "finished"} <= set(stamps)
    # hardware results carry execution spans: their duration is the device time
    from datetime import datetime, timedelta

    from qiskit.primitives import PrimitiveResult
    from qiskit_ibm_runtime.execution_span import ExecutionSpans, SliceSpan

    t0 = datetime(2026, 1, 1, 12, 0, 0)
    spans = ExecutionSpans([SliceSpan(t0, t0 + timedelta(seconds=2.5), {0: ((50,), slice(0, 50))})])
    on_hardware = PrimitiveResult(list(result), metadata={"execution": {"execution_spans": spans}})
    assert job_timing(job, on_hardware)[1] == pytest.approx(2.5)


def test_job_id_is_stored_before_waiting(tmp_path, monkeypatch):
    from qiskit_ibm_runtime.fake_provider.local_runtime_job import LocalRuntimeJob

    db = tmp_path / "jobs.db"
    seen = []
    original = LocalRuntimeJob.result

    def result(self, *args, **kwargs):
        with JobStore(db) as store:
            (record,) = store.jobs()
            seen.append((record.status, record.vendor_job_id, self.job_id()))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(LocalRuntimeJob, "result", result)
    qspin.solve(
        sherrington_kirkpatrick(4, seed=1), "qaoa-ibm", seed=1, reps=1, shots=100, device="fake_manila", store=db
    )
    assert len(seen) == 1
    status, stored, job_id = seen[0]
    assert status == "running" and stored == job_id


def test_engine_side_optimisation_in_batch_mode_reports_every_job(tmp_path):
    db = tmp_path / "jobs.db"
    ss = qspin.solve(
        sherrington_kirkpatrick(4, seed=3),
        "qaoa-ibm",
        seed=4,
        reps=1,
        shots=200,
        device="fake_manila",
        angles_from="engine",
        strategy="ramp",
        optimizer="COBYLA",
        maxiter=4,
        cvar_alpha=0.5,
        mode="batch",
        store=db,
    )
    ids = ss.info["vendor_job_ids"]
    assert ss.info["nfev"] == 4 and len(ids) == 5 and len(set(ids)) == 5  # 4 evaluations and the final run
    assert ss.info["objective"] == "cvar(0.5)" and ss.info["mode"] == "batch"
    (record,) = qspin.jobs(db)
    assert record.vendor_job_id == ",".join(ids)


def test_fetch_needs_the_account_and_refuses_local_jobs(tmp_path):
    problem = sherrington_kirkpatrick(4, seed=1)
    db = tmp_path / "jobs.db"
    with JobStore(db) as store:
        cloud = store.start_job(problem, backend="qaoa-ibm", kind="qaoa-ibm", params={}, seed=1)
        store.set_vendor_job(cloud, "ibm", "job-a,job-b", {"device": "ibm_brisbane", "local": False})
        local = store.start_job(problem, backend="qaoa-ibm", kind="qaoa-ibm", params={}, seed=1)
        store.set_vendor_job(local, "ibm", "local-job", {"device": "fake_manila", "local": True})
    with pytest.raises(BackendUnavailable, match="no IBM Quantum credentials"):
        qspin.fetch_job(cloud, db)
    with pytest.raises(BackendError, match="local testing mode"):
        qspin.fetch_job(local, db)


# --- bad input is refused before anything is submitted --------------------------------------------


@pytest.mark.parametrize(
    "params, match",
    [
        ({"device": "fake_manila"}, "6 spins but fake_manila has only 5 qubits"),
        ({"device": "fake_nowhere"}, "no IBM fake device called 'fake_nowhere'"),
        ({"mode": "session"}, "mode must be 'job' or 'batch'"),
        ({"request_timeout": 0}, "request_timeout must be a positive number"),
        ({"optimization_level": 4}, "optimization_level must be 0, 1, 2 or 3"),
        ({"reps": 0}, "reps must be an integer >= 1"),
        ({"gammas": [0.1, 0.2], "betas": [0.1], "reps": 2}, "gammas has 2 angles but betas has 1"),
    ],
)
def test_bad_parameters_are_refused_before_submission(params, match, monkeypatch):
    def no_connection(*args, **kwargs):
        raise AssertionError("tried to connect")

    monkeypatch.setattr(ibm, "connect", no_connection)
    with pytest.raises(ParameterError, match=match):
        qspin.solve(sherrington_kirkpatrick(6, seed=1), "qaoa-ibm", **params)


def test_a_device_too_small_is_refused_in_the_fallback_too():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(ParameterError, match="8 spins but fake_manila has only 5 qubits"):
            qspin.solve(sherrington_kirkpatrick(8, seed=1), "qaoa-ibm", reps=1, device="ibm_manila")


def test_ibm_engine_functions_on_a_fake_device():
    problem = sherrington_kirkpatrick(4, seed=2)
    g, b = [0.4], [-0.3]
    rows = qaoa.sample(problem, g, b, 300, seed=5, engine="ibm", device="fake_manila")
    assert rows.shape == (300, 4) and rows.dtype == np.int8
    mean = qaoa.expectation(problem, g, b, engine="ibm", device="fake_manila", shots=2000, seed=5)
    spread = problem.energies(rows).std()
    assert abs(mean - qaoa.expectation(problem, g, b)) < spread  # noisy, but an estimate of <E>
    with pytest.raises(ParameterError, match="5 qubits"):
        qaoa.expectation(sherrington_kirkpatrick(7, seed=1), g, b, engine="ibm", device="fake_manila")
    with pytest.raises(BackendUnavailable, match="no IBM Quantum credentials"):
        qaoa.expectation(problem, g, b, engine="ibm", device="ibm_brisbane")
