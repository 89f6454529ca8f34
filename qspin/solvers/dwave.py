"""The annealer path: D-Wave QPUs ("dwave"), the mock QPU ("dwave-mock") and Leap hybrid.

"dwave" and "dwave-mock" share one code path: embed (cached), set the chain strength (Ocean's
uniform torque compensation by default), apply spin-reversal transforms, submit, record the
vendor problem id before waiting, unembed (majority vote by default) and report chain breaks
and the QPU timing next to qspin's own wall times. Only the sampler differs: a real
DWaveSampler in the cloud, or dwave-system's MockDWaveSampler on a real topology, whose
physical-level samples come from dwave-samplers' simulated annealing (never QPU output).

Credentials come only from Ocean's own configuration (dwave.conf profiles, DWAVE_API_TOKEN,
DWAVE_API_ENDPOINT). Without them, or when the service does not answer within
``request_timeout`` seconds, the backend raises BackendUnavailable and ``qspin.solve`` runs the
fallback ("ocean-sa" by default). A rejected token is an error, not a fallback.
"""

from __future__ import annotations

import importlib.util
import time
from functools import lru_cache

import numpy as np

from qspin.errors import BackendError, BackendUnavailable, MissingDependencyError, ParameterError
from qspin.problem import IsingProblem
from qspin.solvers.base import Backend, Samples
from qspin.solvers.embedding import (
    apply_gauge,
    chain_statistics,
    find_embedding,
    graph_fingerprint,
    random_gauge,
    undo_gauge,
)
from qspin.solvers.registry import report_submitted

CHAIN_BREAK_METHODS = ("majority_vote", "discard", "weighted_random", "minimize_energy")
TOPOLOGIES = {"pegasus": [16], "zephyr": [12, 4]}  # Advantage and Advantage2 sizes
INSTALL_HINT = "install the D-Wave Ocean SDK: pip install dwave-ocean-sdk"
US = 1e-6  # QPU timings are reported in microseconds


def _require_ocean():
    if importlib.util.find_spec("dwave.system") is None:
        raise MissingDependencyError(f"the D-Wave backends need dwave-system; {INSTALL_HINT}")


def _bqm(problem: IsingProblem):
    import dimod

    i, j, w = problem.couplings
    bqm = dimod.BinaryQuadraticModel(dimod.SPIN)
    bqm.add_linear_from(enumerate(problem.h.tolist()))
    bqm.add_quadratic_from(zip(i.tolist(), j.tolist(), w.tolist()))
    bqm.offset = problem.offset
    return bqm


def ocean_credentials() -> dict:
    """Ocean's own client configuration; raises BackendUnavailable when it has no token."""
    from dwave.cloud.config import load_config

    try:
        config = load_config()
    except Exception as exc:  # a malformed dwave.conf
        raise BackendError(f"cannot read the D-Wave configuration: {exc}") from None
    if not config.get("token"):
        raise BackendUnavailable("no D-Wave credentials (set DWAVE_API_TOKEN or run 'dwave config create')")
    return config


def _translate_cloud_error(exc: Exception, what: str):
    """Map Ocean's exceptions to qspin's: unreachable -> BackendUnavailable, others -> BackendError."""
    import requests
    from dwave.cloud import exceptions as cloud

    name = type(exc).__name__
    if isinstance(exc, cloud.SolverAuthenticationError):
        return BackendError(f"D-Wave rejected the API token ({what}); check DWAVE_API_TOKEN or 'dwave config'")
    if isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.Timeout)) or name in (
        "RequestTimeout",
        "Timeout",
        "PollingTimeout",
    ):
        return BackendUnavailable(f"D-Wave service unreachable during {what} ({name})")
    if isinstance(exc, (cloud.SolverNotFoundError, cloud.SolverOfflineError)):
        return BackendUnavailable(f"no matching D-Wave solver online ({name}: {exc})")
    if isinstance(exc, (cloud.ProblemError, cloud.InvalidProblemError)):
        return BackendError(f"D-Wave rejected the problem ({name}: {exc})")
    return BackendError(f"D-Wave {what} failed ({name}: {exc})")


class _AnnealerBackend(Backend):
    """Shared path of the embedded annealers; subclasses provide the structured sampler."""

    packages = ("dwave-system", "dimod", "minorminer", "dwave-cloud-client")
    parameters = {
        "num_reads": 100,
        "annealing_time": None,
        "chain_strength": None,
        "chain_break_method": "majority_vote",
        "num_spin_reversal_transforms": 0,
        "embedding_timeout": 30.0,
        "solver_parameters": None,
        "label": None,
    }
    simulated = False

    def check_parameters(self, problem, params):
        params = dict(params)
        for key, low in (("num_reads", 1), ("num_spin_reversal_transforms", 0)):
            v = params[key]
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < low:
                raise ParameterError(f"{key} must be an integer >= {low}, got {v!r}")
        cs = params["chain_strength"]
        if cs is not None and (isinstance(cs, bool) or not isinstance(cs, (int, float)) or not cs > 0):
            raise ParameterError(
                f"chain_strength must be a positive number or None (uniform torque compensation), got {cs!r}"
            )
        if params["chain_break_method"] not in CHAIN_BREAK_METHODS:
            raise ParameterError(
                f"chain_break_method must be one of {CHAIN_BREAK_METHODS}, got {params['chain_break_method']!r}"
            )
        at = params["annealing_time"]
        if at is not None and (isinstance(at, bool) or not isinstance(at, (int, float)) or not at > 0):
            raise ParameterError(f"annealing_time must be a positive number of microseconds, got {at!r}")
        if params["solver_parameters"] is not None and not isinstance(params["solver_parameters"], dict):
            raise ParameterError("solver_parameters must be a dict of extra QPU parameters")
        if not (isinstance(params["embedding_timeout"], (int, float)) and params["embedding_timeout"] > 0):
            raise ParameterError("embedding_timeout must be a positive number of seconds")
        return params

    # subclasses -------------------------------------------------------------------------

    def _sampler(self, params):  # pragma: no cover - abstract
        raise NotImplementedError

    def _submit(self, sampler, bqm, kwargs, seed, extra, report):
        """Send one physical BQM, call ``report(problem_id)`` before waiting, return the dimod SampleSet."""
        raise NotImplementedError  # pragma: no cover

    # the shared path ----------------------------------------------------------------------

    def sample(
        self,
        problem: IsingProblem,
        *,
        seed: int,
        num_reads,
        annealing_time,
        chain_strength,
        chain_break_method,
        num_spin_reversal_transforms,
        embedding_timeout,
        solver_parameters,
        label,
        **extra,
    ) -> Samples:
        _require_ocean()
        n = problem.num_spins
        if n == 0:
            return Samples(np.zeros((1, 0), dtype=np.int8), info={"simulated": self.simulated})
        from dwave.embedding import embed_bqm
        from dwave.embedding.chain_strength import uniform_torque_compensation

        sampler, target_hash = self._sampler(extra)
        kwargs = {"num_reads": int(num_reads)}
        if annealing_time is not None:
            kwargs["annealing_time"] = float(annealing_time)
        if label is not None:
            kwargs["label"] = str(label)
        for key, value in (solver_parameters or {}).items():
            if key not in sampler.parameters:
                raise ParameterError(f"the solver has no parameter {key!r}")
            kwargs[key] = value
        bqm = _bqm(problem)
        embedding, emb_info = find_embedding(
            problem, sampler.nodelist, sampler.edgelist, target_hash, seed=seed, timeout=float(embedding_timeout)
        )
        emb_info["target_graph"] = target_hash[:16]
        strength = uniform_torque_compensation(bqm, embedding) if chain_strength is None else float(chain_strength)
        adjacency = {q: set() for q in sampler.nodelist}
        for a, b in sampler.edgelist:
            adjacency[a].add(b)
            adjacency[b].add(a)
        target = embed_bqm(bqm, embedding, adjacency, chain_strength=strength)

        rng = np.random.default_rng(seed)
        transforms = max(1, int(num_spin_reversal_transforms))
        reads = [num_reads // transforms + (t < num_reads % transforms) for t in range(transforms)]
        context = {
            "embedding": {str(k): v for k, v in embedding.items()},
            "chain_strength": strength,
            "chain_break_method": chain_break_method,
            "gauges": [],
            "target_graph": target_hash[:16],
        }
        ids, parts, timing = [], [], {}

        def report(problem_id):
            ids.append(str(problem_id))
            report_submitted(self.name, ",".join(ids), context)  # in the store before we wait

        for t, r in enumerate(r for r in reads if r > 0):
            gauge = random_gauge(list(target.variables), rng) if num_spin_reversal_transforms else {}
            context["gauges"].append({str(q): g for q, g in gauge.items() if g < 0})
            response = self._submit(
                sampler, apply_gauge(target, gauge), {**kwargs, "num_reads": r}, seed + t, extra, report
            )
            record = undo_gauge(response, gauge)
            parts.append((record, response.record.num_occurrences, list(response.variables)))
            for key, value in (response.info.get("timing") or {}).items():
                timing[key] = timing.get(key, 0.0) + float(value)

        return _unembed(
            bqm,
            embedding,
            emb_info,
            strength,
            chain_break_method,
            int(num_spin_reversal_transforms),
            ids,
            parts,
            timing,
            simulated=self.simulated,
        )


def _unembed(
    bqm, embedding, emb_info, strength, chain_break_method, num_transforms, ids, parts, timing, *, simulated
) -> Samples:
    """Combine the physical samples of every submission, unembed them and report chain breaks.

    ``parts`` holds (samples with gauges undone, num_occurrences, variables) per submission.
    """
    import dimod
    from dwave.embedding import chain_breaks, unembed_sampleset

    t0 = time.perf_counter()
    variables = parts[0][2]
    physical = dimod.SampleSet.from_samples(
        (
            np.concatenate([p[0] if p[2] == variables else p[0][:, [p[2].index(v) for v in variables]] for p in parts]),
            variables,
        ),
        dimod.SPIN,
        energy=0.0,
        num_occurrences=np.concatenate([p[1] for p in parts]),
    )
    method = getattr(chain_breaks, chain_break_method)
    logical = unembed_sampleset(physical, embedding, bqm, chain_break_method=method, chain_break_fraction=True)
    unembed_s = time.perf_counter() - t0
    if len(logical) == 0:
        raise BackendError(
            "every sample had a broken chain (chain_break_method='discard'); "
            "use 'majority_vote' or a larger chain_strength"
        )
    order = np.argsort(np.array(list(logical.variables)))
    spins = logical.record.sample[:, order].astype(np.int8)
    breaks = np.asarray(logical.record.chain_break_fraction, dtype=float)
    counts = np.asarray(logical.record.num_occurrences)
    info = {
        "simulated": simulated,
        "vendor_problem_ids": ids,
        "embedding": {
            **chain_statistics(embedding),
            "cached": emb_info["cached"],
            "target_graph": emb_info["target_graph"],
        },
        "chain_strength": strength,
        "chain_break_method": chain_break_method,
        "chain_break_fraction": breaks.tolist(),
        "chain_break_fraction_mean": float(np.average(breaks, weights=counts)),
        "num_spin_reversal_transforms": num_transforms,
        "qpu_timing_us": timing,
    }
    seconds = {"embedding_s": emb_info["embedding_s"], "unembedding_s": unembed_s}
    for key in ("qpu_access_time", "qpu_programming_time", "qpu_sampling_time"):
        if key in timing:
            seconds[key.replace("_time", "_s")] = timing[key] * US
    return Samples(spins, counts, info=info, timing=seconds)


class DWaveBackend(_AnnealerBackend):
    name = "dwave"
    summary = "D-Wave QPU via Ocean (cloud); falls back to ocean-sa when unreachable"
    parameters = {**_AnnealerBackend.parameters, "solver": None, "request_timeout": 10.0}
    fallback = "ocean-sa"

    def availability(self):
        if importlib.util.find_spec("dwave.system") is None:
            return False, f"SDK missing ({INSTALL_HINT})"
        try:
            config = ocean_credentials()
        except BackendUnavailable as exc:
            return False, str(exc)
        except BackendError as exc:
            return False, str(exc)
        return True, f"credentials found (endpoint {config.get('endpoint') or 'default'}); not contacted"

    def _sampler(self, extra):
        ocean_credentials()
        from dwave.system import DWaveSampler

        timeout = float(extra.get("request_timeout") or 10.0)
        options = {"request_timeout": timeout, "http_retry_total": 1}
        if extra.get("solver") is not None:
            options["solver"] = extra["solver"]
        try:
            sampler = DWaveSampler(**options)
            nodelist, edgelist = sampler.nodelist, sampler.edgelist
        except Exception as exc:
            raise _translate_cloud_error(exc, "connecting") from None
        return sampler, graph_fingerprint(nodelist, edgelist)

    def _submit(self, sampler, bqm, kwargs, seed, extra, report):
        try:
            future = sampler.solver.sample_bqm(bqm, **kwargs)
            problem_id = future.wait_id()
        except Exception as exc:
            raise _translate_cloud_error(exc, "submission") from None
        report(problem_id)
        try:
            return future.sampleset
        except Exception as exc:
            raise _translate_cloud_error(exc, f"waiting for problem {problem_id}") from None

    def fetch(self, problem: IsingProblem, vendor_job_id: str, context: dict) -> Samples:
        """Retrieve finished QPU problems by id and decode them with the stored embedding and gauges."""
        ocean_credentials()
        from dwave.cloud import Client

        embedding = {int(k): v for k, v in context["embedding"].items()}
        ids = vendor_job_id.split(",")
        gauges = context.get("gauges") or [{}] * len(ids)
        parts, timing = [], {}
        try:
            with Client.from_config(request_timeout=10.0, http_retry_total=1) as client:
                for problem_id, gauge in zip(ids, gauges):
                    response = client.retrieve_answer(problem_id).sampleset
                    g = {int(q): v for q, v in gauge.items()}
                    parts.append((undo_gauge(response, g), response.record.num_occurrences, list(response.variables)))
                    for key, value in (response.info.get("timing") or {}).items():
                        timing[key] = timing.get(key, 0.0) + float(value)
        except Exception as exc:
            raise _translate_cloud_error(exc, "fetching a past problem") from None
        emb_info = {"cached": "stored", "embedding_s": 0.0, "target_graph": context.get("target_graph", "")}
        return _unembed(
            _bqm(problem),
            embedding,
            emb_info,
            context["chain_strength"],
            context["chain_break_method"],
            len(ids) if context.get("gauges") and any(context["gauges"]) else 0,
            ids,
            parts,
            timing,
            simulated=False,
        )


@lru_cache(maxsize=4)
def _mock_sampler(topology: str, shape: tuple):
    from dwave.samplers import SimulatedAnnealingSampler
    from dwave.system.testing import MockDWaveSampler

    sampler = MockDWaveSampler(
        topology_type=topology,
        topology_shape=list(shape),
        parameter_warnings=False,
        substitute_sampler=SimulatedAnnealingSampler(),
        exact_solver_cutoff=0,
    )
    return sampler, graph_fingerprint(sampler.nodelist, sampler.edgelist)


class DWaveMockBackend(_AnnealerBackend):
    name = "dwave-mock"
    summary = "the D-Wave code path on dwave-system's MockDWaveSampler (real topology, simulated samples)"
    parameters = {**_AnnealerBackend.parameters, "topology": "pegasus", "topology_shape": None, "mock_sweeps": 200}
    simulated = True

    def check_parameters(self, problem, params):
        params = super().check_parameters(problem, params)
        if params["topology"] not in TOPOLOGIES:
            raise ParameterError(f"topology must be one of {sorted(TOPOLOGIES)}, got {params['topology']!r}")
        return params

    def _sampler(self, extra):
        shape = tuple(extra.get("topology_shape") or TOPOLOGIES[extra["topology"]])
        return _mock_sampler(extra["topology"], shape)

    def _submit(self, sampler, bqm, kwargs, seed, extra, report):
        sampler.substitute_kwargs = {"seed": seed % (2**32), "num_sweeps": int(extra["mock_sweeps"])}
        response = sampler.sample(bqm, num_reads=kwargs["num_reads"], answer_mode="raw")
        report("mock-" + response.info["problem_id"])
        return response


class DWaveHybridBackend(Backend):
    name = "dwave-hybrid"
    summary = "Leap hybrid BQM solver (cloud) for problems too large to embed; falls back to ocean-sa"
    parameters = {"time_limit": None, "solver": None, "request_timeout": 10.0, "label": None}
    packages = ("dwave-system", "dimod", "dwave-cloud-client")
    fallback = "ocean-sa"
    availability = DWaveBackend.availability

    def sample(self, problem, *, seed, time_limit, solver, request_timeout, label) -> Samples:
        _require_ocean()
        ocean_credentials()
        from dwave.system import LeapHybridSampler

        try:
            options = {"request_timeout": float(request_timeout), "http_retry_total": 1}
            if solver is not None:
                options["solver"] = solver
            sampler = LeapHybridSampler(**options)
            kwargs = {} if time_limit is None else {"time_limit": float(time_limit)}
            if label is not None:
                kwargs["label"] = str(label)
            response = sampler.sample(_bqm(problem), **kwargs)
            response.resolve()
        except Exception as exc:
            raise _translate_cloud_error(exc, "hybrid sampling") from None
        problem_id = response.info.get("problem_id")
        if problem_id:
            report_submitted("dwave-hybrid", problem_id, None)
        order = np.argsort(np.array(list(response.variables)))
        return Samples(
            response.record.sample[:, order].astype(np.int8),
            response.record.num_occurrences,
            info={
                "simulated": False,
                "vendor_problem_ids": [problem_id],
                "qpu_timing_us": dict(response.info.get("timing", {})),
            },
        )
