import dataclasses
from pathlib import Path

import pytest

from qspin import ConfigError, ParameterError
from qspin.models import edwards_anderson, sherrington_kirkpatrick
from qspin.sweep import BackendSpec, GroundTruthSpec, backend_specs, load_sweep, seed_list

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sweep.toml"


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "sweep.toml"
    path.write_text(text)
    return path


MINIMAL = """
[[models]]
model = "sk"
n = 6

[[backends]]
name = "exact"
"""


def test_example_sweep_loads_into_frozen_objects():
    sweep = load_sweep(EXAMPLE)
    assert sweep.name == "sk-and-ea" and sweep.seeds == (0, 1, 2) and sweep.path == EXAMPLE
    assert [m.model for m in sweep.models] == ["sk", "ea"]
    assert sweep.models[0].sizes == (12, 16, 20) and sweep.models[0].instances == (0, 1)
    assert [b.label for b in sweep.backends] == ["sa", "pt", "sqa", "ocean-sa", "dwave", "qaoa p=2", "warm qaoa p=2"]
    assert sweep.backends[0].options["num_sweeps"] == 1000
    warm = sweep.backends[-1]
    assert warm.name == "qaoa" and warm.options["warm_start"] == "sa" and warm.max_spins == 16
    problems = sweep.problems()
    assert len(problems) == 3 * 2 + 2 * 2
    assert problems[0] == sherrington_kirkpatrick(12, seed=0)
    assert problems[-1] == edwards_anderson((5, 5), couplings="pm1", seed=1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        sweep.seeds = (1,)
    with pytest.raises(TypeError):
        sweep.backends[0].options["num_reads"] = 1  # options are read-only mappings


def test_ranges_grid_labels_and_defaults(tmp_path):
    path = write(
        tmp_path,
        """
name = "grid"
seeds = { from = 3, to = 7, step = 2 }

[ground_truth]
exact_limit = 20
pt_sweeps = 500

[[models]]
model = "maxcut"
nodes = [6, 8]
degree = 3
instances = [4]

[[models]]
model = "hopfield"
spins = 10
patterns = 2

[[models]]
model = "ea"
L = 3
dim = 3

[[backends]]
name = "sa"
label = "anneal"
options = { num_reads = 4 }
grid = { num_sweeps = [10, 100], beta_schedule_type = ["geometric", "linear"] }
max_spins = 9
""",
    )
    sweep = load_sweep(path)
    assert sweep.seeds == (3, 5, 7)
    assert sweep.ground_truth == GroundTruthSpec(exact_limit=20, pt_sweeps=500)
    labels = [b.label for b in sweep.backends]
    assert len(labels) == 4 and "anneal[beta_schedule_type=linear,num_sweeps=100]" in labels
    assert all(b.options["num_reads"] == 4 and b.max_spins == 9 for b in sweep.backends)
    names = [p.name for p in sweep.problems()]
    assert names[:2] == ["maxcut-3reg-n6-s4", "maxcut-3reg-n8-s4"]
    assert names[2].startswith("hopfield-hebb-P2-N10") and names[2].endswith("-s0")
    assert sweep.problems()[3].num_spins == 27


def test_file_models_are_relative_to_the_sweep(tmp_path):
    sherrington_kirkpatrick(5, seed=9).save(tmp_path / "p.json")
    sweep = load_sweep(write(tmp_path, MINIMAL + '\n[[models]]\nmodel = "file"\npath = "p.json"\n'))
    assert sweep.problems()[-1] == sherrington_kirkpatrick(5, seed=9)


def test_backends_as_names(tmp_path):
    sweep = load_sweep(write(tmp_path, 'backends = ["exact", "sa"]\n[[models]]\nmodel = "sk"\nn = 5\n'))
    assert [b.name for b in sweep.backends] == ["exact", "sa"]


@pytest.mark.parametrize(
    "text, key, message",
    [
        ("colour = 1\n" + MINIMAL, "colour", "unknown top-level key"),
        ('[[backends]]\nname = "exact"\n', "models", "at least one"),
        (MINIMAL.replace('"sk"', '"xy"'), "models[0].model", "one of sk, ea"),
        (MINIMAL.replace("n = 6", "n = 6\nshape = 3"), "models[0].shape", "unknown key for model 'sk'"),
        (MINIMAL.replace("n = 6", "n = 0"), "models[0].n", "integer >= 1"),
        (MINIMAL.replace("n = 6", 'n = "six"'), "models[0].n", "must be an integer, a list or a range"),
        (MINIMAL.replace("n = 6", "n = { from = 4 }"), "models[0].n", "needs from and to"),
        (MINIMAL.replace("n = 6", "n = [4, 4]"), "models[0].n", "distinct"),
        (MINIMAL.replace("n = 6", 'n = 6\ncouplings = "cauchy"'), "models[0].couplings", "gaussian, pm1"),
        (MINIMAL.replace('model = "sk"\nn = 6', 'model = "ea"\nL = 2'), "models[0].L", ">= 3"),
        (MINIMAL.replace('model = "sk"\nn = 6', 'model = "maxcut"\nnodes = 5'), "models[0].degree", "even"),
        (MINIMAL.replace('model = "sk"\nn = 6', 'model = "hopfield"\nspins = 5'), "models[0].patterns", "required"),
        (MINIMAL.replace('model = "sk"\nn = 6', 'model = "file"\npath = "nope.json"'), "models[0].path", "no such"),
        (MINIMAL.replace('"exact"', '"quantum-magic"'), "backends[0].name", "unknown backend"),
        (MINIMAL + "options = { num_sweep = 3 }\n", "backends[0].options.num_sweep", "no such parameter"),
        (MINIMAL + "grid = { max_ground_states = 3 }\n", "backends[0].grid", "non-empty lists"),
        (MINIMAL + "options = { num_levels = 1 }\ngrid = { num_levels = [1] }\n", "grid.num_levels", "one place"),
        (MINIMAL + "max_spins = 0\n", "backends[0].max_spins", ">= 1"),
        (MINIMAL + 'colour = "red"\n', "backends[0].colour", "unknown key"),
        (MINIMAL + '[[backends]]\nname = "exact"\n', "backends", "labels must be distinct"),
        ("seeds = -1\n" + MINIMAL, "seeds", ">= 1"),
        ("[ground_truth]\npt_reads = 0\n" + MINIMAL, "ground_truth.pt_reads", ">= 1"),
        ("[ground_truth]\nfoo = 1\n" + MINIMAL, "ground_truth.foo", "unknown key"),
    ],
)
def test_errors_name_the_file_and_key(tmp_path, text, key, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_sweep(path)
    text = str(info.value)
    assert text.startswith(f"{path}: ") and key in text and message in text and "\n" not in text


def test_invalid_toml_and_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_sweep(write(tmp_path, "models = [\n"))
    with pytest.raises(ConfigError, match="cannot read"):
        load_sweep(tmp_path / "missing.toml")


def test_profiles_from_backends_toml(tmp_path):
    cfg = tmp_path / "backends.toml"
    cfg.write_text('[backends.quick]\nkind = "sa"\noptions = { num_reads = 3 }\n')
    sweep = load_sweep(
        write(tmp_path, MINIMAL.replace('"exact"', '"quick"') + "options = { num_sweeps = 5 }\n"), config=cfg
    )
    assert sweep.backends[0].name == "quick"
    with pytest.raises(ConfigError, match="no such parameter"):
        load_sweep(write(tmp_path, MINIMAL.replace('"exact"', '"quick"') + "options = { bogus = 5 }\n"), config=cfg)


def test_api_normalisers():
    assert seed_list(3) == (0, 1, 2) and seed_list([5, 1]) == (5, 1)
    for bad in (0, True, [-1], [1, 1], "abc", [1.5]):
        with pytest.raises(ParameterError):
            seed_list(bad)
    specs = backend_specs(["exact", ("sa", {"num_reads": 2}), BackendSpec("sa", {"num_reads": 4}, "sa4")])
    assert [s.label for s in specs] == ["exact", "sa", "sa4"] and specs[1].options == {"num_reads": 2}
    assert backend_specs("pt")[0].name == "pt" and backend_specs({"sa": {"num_reads": 1}})[0].options["num_reads"] == 1
    with pytest.raises(ParameterError, match="distinct"):
        backend_specs(["sa", ("sa", {"num_reads": 2})])
    with pytest.raises(ParameterError, match="at least one"):
        backend_specs([])
    with pytest.raises(ParameterError, match="a name"):
        backend_specs([3])
