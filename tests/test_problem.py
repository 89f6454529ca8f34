import pickle

import dimod
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import qspin
from qspin import IsingProblem, ProblemError
from tests.conftest import all_states, random_problem, reference_energies


def test_construction_forms_agree():
    h = [0.5, -1.0, 0.0]
    Jd = {(0, 1): 1.0, (2, 1): -2.0}
    M = np.zeros((3, 3))
    M[0, 1], M[1, 2] = 1.0, -2.0
    a = IsingProblem(h, Jd, 0.25)
    b = IsingProblem(h, M, 0.25)
    c = IsingProblem(h, sp.csr_matrix(M), 0.25)
    d = IsingProblem({0: 0.5, 1: -1.0}, Jd, 0.25, num_spins=3)
    assert a == b == c == d
    i, j, w = a.couplings
    assert i.tolist() == [0, 1] and j.tolist() == [1, 2] and w.tolist() == [1.0, -2.0]


def test_reversed_pairs_add_like_dimod():
    p = IsingProblem(None, {(0, 1): 1.0, (1, 0): 0.5})
    assert p.couplings[2].tolist() == [1.5]
    M = np.array([[0.0, 1.0], [0.5, 0.0]])
    assert IsingProblem(None, M).couplings[2].tolist() == [1.5]
    bqm = dimod.BinaryQuadraticModel({}, {(0, 1): 1.0, (1, 0): 0.5}, 0, "SPIN")
    assert bqm.get_quadratic(0, 1) == 1.5


def test_energy_matches_definition(rng):
    p = random_problem(rng, 7)
    U = np.zeros((7, 7))
    i, j, w = p.couplings
    U[i, j] = w
    S = all_states(7)
    assert np.allclose(p.energies(S), reference_energies(p.h, U, p.offset, S))
    s = S[37]
    expected = p.offset + sum(p.h[k] * s[k] for k in range(7)) + sum(c * s[a] * s[b] for a, b, c in zip(i, j, w))
    assert p.energy(s) == pytest.approx(expected)


def test_sign_convention_positive_J_is_antiferromagnetic():
    p = IsingProblem(None, {(0, 1): 1.0})
    assert p.energy([1, -1]) == -1.0 and p.energy([1, 1]) == 1.0


def test_immutable():
    p = IsingProblem([1.0, 2.0], {(0, 1): 1.0})
    with pytest.raises(ValueError):
        p.h[0] = 5.0
    with pytest.raises(ValueError):
        p.couplings[2][0] = 5.0
    with pytest.raises(AttributeError):
        p.num_spins = 3
    with pytest.raises(TypeError):
        p.metadata["x"] = 1


def test_num_spins_and_empty():
    p = IsingProblem(num_spins=4)
    assert p.num_spins == 4 and p.num_couplings == 0
    assert p.energy([1, 1, -1, 1]) == 0.0
    empty = IsingProblem()
    assert empty.num_spins == 0
    assert empty.energies(np.zeros((3, 0))).tolist() == [0.0, 0.0, 0.0]


def test_csr_adjacency(rng):
    p = random_problem(rng, 6)
    indptr, indices, data = p.csr
    M = sp.csr_matrix((data, indices, indptr), shape=(6, 6)).toarray()
    assert np.allclose(M, p.to_dense())
    assert np.allclose(M, M.T)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"h": [1.0, np.nan]}, r"h\[1\]"),
        ({"h": [1.0, np.inf]}, r"h\[1\]"),
        ({"J": {(0, 1): np.nan}}, r"J\[\(0, 1\)\]"),
        ({"J": {(2, 2): 1.0}}, "self-coupling"),
        ({"J": {(-1, 2): 1.0}}, "negative"),
        ({"J": {(0.5, 2): 1.0}}, "not an integer"),
        ({"J": {(0, 1, 2): 1.0}}, "not a pair"),
        ({"h": [0.0, 0.0], "J": {(0, 5): 1.0}}, "spin 5 but h has only 2"),
        ({"J": np.zeros((2, 3))}, "square"),
        ({"J": np.eye(3)}, "self-coupling"),
        ({"J": np.array([[0, np.inf], [0, 0]])}, "not finite"),
        ({"J": sp.csr_matrix(np.eye(2))}, "self-coupling"),
        ({"h": [[1.0]]}, "one-dimensional"),
        ({"h": [1.0], "num_spins": 3}, "num_spins"),
        ({"h": {5: 1.0}, "num_spins": 3}, "spin 5"),
        ({"J": {(0, 1): "x"}}, "not a number"),
        ({"offset": np.nan}, "offset"),
        ({"J": np.zeros((2, 2)), "h": [0.0, 0.0, 0.0]}, "2x2"),
    ],
)
def test_bad_input_raises_problem_error(kwargs, match):
    with pytest.raises(ProblemError, match=match):
        IsingProblem(**kwargs)
    assert issubclass(ProblemError, ValueError)


@pytest.mark.parametrize(
    "samples, match",
    [
        (np.array([[1, 1]]), r"shape \(R, 3\)"),
        (np.array([[1, 0, 1]]), r"samples\[0, 1\] = 0"),
        (np.array([[1, 2, 1]]), "must be \\+1 or -1"),
        (np.array([[1.0, np.nan, 1.0]]), "must be"),
        (np.array([["a", "b", "c"]]), "numbers"),
    ],
)
def test_bad_samples(samples, match):
    p = IsingProblem([0.0, 1.0, 2.0])
    with pytest.raises(ProblemError, match=match):
        p.energies(samples)


def test_energy_wants_one_state():
    p = IsingProblem([0.0, 1.0])
    with pytest.raises(ProblemError):
        p.energy([[1, 1]])
    with pytest.raises(ProblemError):
        p.energy([1, 1, 1])


# --- QUBO and BQM round trips (property-based) ------------------------------------------

problems = st.builds(
    lambda n, seed, density: random_problem(np.random.default_rng(seed), n, density),
    st.integers(1, 8),
    st.integers(0, 2**32 - 1),
    st.floats(0.0, 1.0),
)


@settings(max_examples=60, deadline=None)
@given(problems, st.integers(0, 2**32 - 1))
def test_qubo_round_trip_and_energies(p, seed):
    Q, off = p.to_qubo()
    back = IsingProblem.from_qubo(Q, off)
    assert np.allclose(back.h, p.h) and np.isclose(back.offset, p.offset)
    assert np.allclose(back.to_dense(), p.to_dense())
    S = np.random.default_rng(seed).choice(np.array([-1, 1], dtype=np.int8), size=(16, p.num_spins))
    X = (1 + S.astype(int)) // 2  # x = (1 + s) / 2
    E_qubo = np.array([off + sum(v * x[a] * x[b] for (a, b), v in Q.items()) for x in X])
    assert np.allclose(E_qubo, p.energies(S))
    # and dimod agrees on the same QUBO
    bqm = dimod.BinaryQuadraticModel.from_qubo(Q, off)
    assert np.allclose(bqm.energies((X, range(p.num_spins))), E_qubo)


@settings(max_examples=60, deadline=None)
@given(problems, st.integers(0, 2**32 - 1))
def test_bqm_round_trip(p, seed):
    bqm = p.to_bqm()
    assert bqm.vartype is dimod.SPIN
    S = np.random.default_rng(seed).choice(np.array([-1, 1], dtype=np.int8), size=(16, p.num_spins))
    assert np.allclose(bqm.energies((S, range(p.num_spins))), p.energies(S))
    back = IsingProblem.from_bqm(bqm)
    assert back == p
    binary = IsingProblem.from_bqm(bqm.change_vartype("BINARY", inplace=False))
    assert np.allclose(binary.energies(S), p.energies(S))


def test_qubo_matrix_input_and_errors():
    Q = np.array([[1.0, 2.0], [0.0, -3.0]])
    p = IsingProblem.from_qubo(Q, 0.5)
    for x in [(0, 0), (0, 1), (1, 0), (1, 1)]:
        s = 2 * np.array(x) - 1
        assert p.energy(s) == pytest.approx(0.5 + x[0] - 3 * x[1] + 2 * x[0] * x[1])
    with pytest.raises(ProblemError, match="square"):
        IsingProblem.from_qubo(np.zeros((2, 3)))
    with pytest.raises(ProblemError, match="not finite"):
        IsingProblem.from_qubo({(0, 1): np.inf})


def test_bqm_labels_kept():
    bqm = dimod.BinaryQuadraticModel(
        {"a": 1.0, ("x", 2): -0.5},
        {("a", ("x", 2)): 2.0, ("x", 2): {}} if False else {("a", ("x", 2)): 2.0},
        0.3,
        "SPIN",
    )
    bqm.add_variable("z", 0.0)
    p = IsingProblem.from_bqm(bqm)
    assert p.labels == ("a", ("x", 2), "z")
    back = p.to_bqm()
    assert set(back.variables) == set(bqm.variables)
    assert back.get_quadratic("a", ("x", 2)) == 2.0 and back.offset == pytest.approx(0.3)


def test_save_load_round_trip_exact(tmp_path, rng):
    p = random_problem(rng, 9).replace(
        name="x", labels=[("r", k) for k in range(9)], metadata={"model": "t", "seed": 3}
    )
    path = tmp_path / "p.json"
    p.save(path)
    q = qspin.load(path)
    assert q == p and q.name == "x" and q.labels == p.labels and dict(q.metadata) == {"model": "t", "seed": 3}
    assert np.array_equal(q.h, p.h)  # bit-exact, not approximately
    assert not list(tmp_path.glob(".*tmp"))  # no temporary left behind


@pytest.mark.parametrize(
    "text, match",
    [
        ("{not json", "not valid JSON"),
        ('{"format": "other"}', "not a qspin problem"),
        ('{"format": "qspin.problem", "version": 99}', "newer"),
        (
            '{"format": "qspin.problem", "version": 1, "num_spins": 2, "h": [0], "couplings": {"i": [], "j": [], "w": []}}',
            "num_spins",
        ),
        (
            '{"format": "qspin.problem", "version": 1, "num_spins": 2, "h": [0, 0], "couplings": {"i": [0], "j": [1], "w": []}}',
            "different lengths",
        ),
        (
            '{"format": "qspin.problem", "version": 1, "num_spins": 2, "h": [0, 0], "couplings": {"i": [0], "j": [5], "w": [1]}}',
            "spin 5",
        ),
        (
            '{"format": "qspin.problem", "version": 1, "num_spins": 2, "h": [0, NaN], "couplings": {"i": [], "j": [], "w": []}}',
            "not finite",
        ),
        (
            '{"format": "qspin.problem", "version": 1, "num_spins": 2, "h": ["a", 0], "couplings": {"i": [], "j": [], "w": []}}',
            "numbers",
        ),
    ],
)
def test_load_bad_files(tmp_path, text, match):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(ProblemError, match=match) as err:
        qspin.load(path)
    assert "bad.json" in str(err.value)


def test_load_missing_file(tmp_path):
    with pytest.raises(ProblemError, match="cannot read"):
        qspin.load(tmp_path / "nope.json")


def test_failed_save_keeps_old_file(tmp_path):
    path = tmp_path / "p.json"
    IsingProblem([1.0]).save(path)
    before = path.read_text()
    bad = IsingProblem([2.0], metadata={"obj": object()})
    with pytest.raises(ProblemError, match="JSON"):
        bad.save(path)
    assert path.read_text() == before


def test_pickle_and_hash(rng):
    p = random_problem(rng, 5).replace(metadata={"a": 1})
    q = pickle.loads(pickle.dumps(p))
    assert q == p and hash(q) == hash(p) and dict(q.metadata) == {"a": 1}
    assert q.fingerprint == p.fingerprint
    assert p.replace(offset=p.offset + 1).fingerprint != p.fingerprint
    assert p.replace(offset=p.offset + 1).structure_fingerprint == p.structure_fingerprint
