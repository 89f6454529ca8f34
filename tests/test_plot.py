import numpy as np
import pytest
from matplotlib.figure import Figure

from qspin import plot
from qspin.compare import compare
from qspin.models import edwards_anderson, sherrington_kirkpatrick
from qspin.solvers import Backend, register_backend
from qspin.solvers import registry as _registry
from qspin.solvers.base import Samples
from qspin.sweep import BackendSpec


class DepthToy(Backend):
    """A stand-in for QAOA: deeper circuits put more reads on the (exact) ground state."""

    name = "test-depth"
    parameters = {"p": 1, "shots": 64}

    def sample(self, problem, *, seed, p, shots):
        from qspin.solvers.registry import solve

        ground = solve(problem, "exact").best_spins
        rng = np.random.default_rng(seed)
        spins = rng.choice(np.array([-1, 1], dtype=np.int8), size=(shots, problem.num_spins))
        spins[: shots * p // 4] = ground
        return Samples(spins)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    register_backend("test-depth", DepthToy, replace=True)
    problems = [sherrington_kirkpatrick(n, seed=s) for n in (6, 8, 10) for s in (1, 2)]
    problems += [edwards_anderson((3, 3), seed=1), edwards_anderson((4, 3), periodic=False, seed=1)]
    backends = [
        "exact",
        ("sa", {"num_reads": 16, "num_sweeps": 50}),
        ("pt", {"num_reads": 2, "num_sweeps": 200}),
        *(BackendSpec("test-depth", {"p": p}, f"toy[p={p}]", max_spins=8) for p in (1, 2, 3)),
    ]
    db = tmp_path_factory.mktemp("plots") / "runs.db"
    df = compare(problems, backends, seeds=2, store=db, workers=1)
    yield df, db
    _registry._REGISTERED.pop("test-depth", None)
    _registry._INSTANCES.pop("test-depth", None)


def labels(fig):
    return [(ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) for ax in fig.axes]


def test_residual_vs_n_states_the_convention(results):
    fig = plot.residual_vs_n(results[0])
    assert isinstance(fig, Figure) and len(fig.axes) == 2  # one panel per model
    x, y, title = labels(fig)[0]
    assert x == "n (spins)" and "per spin" in y and "E_best − E_0" in y and title.startswith("SK")
    legend = [t.get_text() for t in fig.axes[-1].get_legend().get_texts()]
    assert legend[:3] == ["exact", "sa", "pt"]


def test_tts_vs_n_log_scale_with_fitted_exponents(results):
    fig = plot.tts_vs_n(results[0])
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and "TTS99" in ax.get_ylabel()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(text.startswith("sa: α = ") for text in legend)


def test_success_by_backend_bars_within_unit_interval(results):
    fig = plot.success_by_backend(results[0])
    bars = [p.get_height() for p in fig.axes[0].patches]
    assert bars and all(0 <= h <= 1 for h in bars)
    assert "p_s" in fig.axes[0].get_ylabel()


def test_approximation_vs_depth_from_depth_parameter(results):
    df = results[0]
    toy = df[df["backend_name"] == "test-depth"]
    assert sorted(toy["depth"].unique()) == [1, 2, 3]
    means = toy.groupby("depth")["mean_approximation_ratio"].mean()
    assert means.is_monotonic_increasing  # the toy improves with depth, and the plot shows it
    fig = plot.approximation_vs_depth(df)
    ax = fig.axes[0]
    assert ax.get_xlabel().startswith("depth p") and "E / E_0" in ax.get_ylabel()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "3"]


def test_overlap_distribution_from_pt(results):
    fig = plot.overlap_distribution(results[0], max_problems=3)
    ax = fig.axes[0]
    assert len(ax.patches) == 3 and "overlap q" in ax.get_xlabel() and "P(q)" in ax.get_ylabel()


def test_empty_data_gives_a_message_not_an_error(results):
    df = results[0]
    sa_only = df[df["backend"] == "sa"]
    for make in (plot.approximation_vs_depth, plot.overlap_distribution):
        text = [t.get_text() for t in make(sa_only).axes[0].texts]
        assert text and text[0].startswith("no ")
    assert plot.residual_vs_n(df.iloc[0:0]).axes[0].texts


def test_save_all_from_a_store(results, tmp_path):
    paths = plot.save_all(results[1], tmp_path / "out", formats=("png", "svg"))
    assert len(paths) == 2 * len(plot.PLOTS)
    for path in paths:
        assert path.stat().st_size > 1000
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and b"<svg" in paths[1].read_bytes()[:500]
