import pytest

import qspin
from qspin import ConfigError
from qspin.models import sherrington_kirkpatrick
from qspin.solvers.registry import backend_status, backends_config

GOOD = """
[backends.quick-exact]
kind = "exact"
description = "enumeration with three levels"
options = { num_levels = 3 }

[backends.mock-qpu]
kind = "dwave-mock"
fallback = "quick-exact"
options = { num_reads = 20, topology = "zephyr" }

[backends.qpu]
kind = "dwave"
fallback = "mock-qpu"
"""


@pytest.fixture
def good(tmp_path):
    path = tmp_path / "backends.toml"
    path.write_text(GOOD)
    return path


def test_good_file_becomes_frozen_profiles(good):
    cfg = backends_config(good)
    assert set(cfg.profiles) == {"quick-exact", "mock-qpu", "qpu"}
    p = cfg.get("mock-qpu")
    assert p.kind == "dwave-mock" and p.fallback == "quick-exact" and dict(p.options)["topology"] == "zephyr"
    with pytest.raises(AttributeError):
        p.kind = "exact"
    with pytest.raises(TypeError):
        p.options["num_reads"] = 1
    assert {"quick-exact", "mock-qpu", "qpu", "exact"} <= set(qspin.list_backends(good))


def test_profile_options_apply_and_user_params_win(good):
    p = sherrington_kirkpatrick(8, seed=1)
    ss = qspin.solve(p, "quick-exact", config=good)
    assert len(ss.info["levels"]) == 3 and ss.info["backend"] == "quick-exact" and ss.info["kind"] == "exact"
    ss = qspin.solve(p, "quick-exact", config=good, num_levels=1)
    assert len(ss.info["levels"]) == 1


BAD = [
    ('[backends.x]\nkind = "exact"\noptoins = {}\n', "backends.x.optoins: unknown key"),
    ("[backends.x]\nkind = 3\n", "backends.x.kind"),
    ('[backends.x]\nkind = "warp-drive"\n', "unknown backend kind 'warp-drive'"),
    (
        '[backends.x]\nkind = "exact"\noptions = { num_reeds = 3 }\n',
        "backends.x.options.num_reeds: backend kind 'exact' has no",
    ),
    ('[backends.x]\nkind = "dwave"\noptions = { token = "abc" }\n', "secrets do not belong"),
    (
        '[backends.x]\nkind = "exact"\nfallback = "y"\n[backends.y]\nkind = "exact"\nfallback = "x"\n',
        "fallback cycle: x -> y -> x",
    ),
    ('[backends.x]\nkind = "exact"\nfallback = "nowhere"\n', "unknown backend 'nowhere'"),
    ('[backends.x]\nkind = "exact"\nfallback = true\n', "must be a backend name or false"),
    ('[backends.exact]\nkind = "exact"\n', "cannot reuse a built-in"),
    ('[store]\npath = "x"\n', "store: unknown top-level key"),
    ("[backends.x\nkind=", "not valid TOML"),
    ("[backends]\nx = 3\n", "backends.x: must be a table"),
    ('[backends.x]\nkind = "exact"\noptions = 5\n', "backends.x.options: must be a table"),
]


@pytest.mark.parametrize("text, match", BAD)
def test_bad_files_name_file_and_key(tmp_path, text, match):
    path = tmp_path / "bad-backends.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=match) as err:
        backends_config(path)
    assert "bad-backends.toml" in str(err.value)


def test_lookup_order(tmp_path, monkeypatch):
    home, cwd, env = tmp_path / "home", tmp_path / "cwd", tmp_path / "env.toml"
    (home / ".config" / "qspin").mkdir(parents=True)
    cwd.mkdir()
    (home / ".config" / "qspin" / "backends.toml").write_text('[backends.from-home]\nkind = "exact"\n')
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("QSPIN_BACKENDS", raising=False)
    monkeypatch.chdir(cwd)
    assert set(backends_config().profiles) == {"from-home"}
    (cwd / "backends.toml").write_text('[backends.from-cwd]\nkind = "exact"\n')
    assert set(backends_config().profiles) == {"from-cwd"}
    env.write_text('[backends.from-env]\nkind = "exact"\n')
    monkeypatch.setenv("QSPIN_BACKENDS", str(env))
    assert set(backends_config().profiles) == {"from-env"}
    explicit = tmp_path / "explicit.toml"
    explicit.write_text('[backends.from-arg]\nkind = "exact"\n')
    assert set(backends_config(explicit).profiles) == {"from-arg"}
    monkeypatch.setenv("QSPIN_BACKENDS", str(tmp_path / "missing.toml"))
    with pytest.raises(ConfigError, match="QSPIN_BACKENDS"):
        backends_config()


def test_repository_backends_toml_is_valid():
    from pathlib import Path

    cfg = backends_config(Path(__file__).parents[1] / "backends.toml")
    for profile in cfg.profiles.values():
        assert profile.kind in qspin.list_backends()


def test_status_reports_reasons_without_secrets(good, monkeypatch, isolated_dwave_config):
    monkeypatch.setenv("DWAVE_API_TOKEN", "very-secret-token-123")
    rows = {r["name"]: r for r in backend_status(good)}
    assert rows["exact"]["available"] and rows["quick-exact"]["kind"] == "exact"
    assert rows["qpu"]["fallback"] == "mock-qpu"
    assert "very-secret-token-123" not in repr(rows)
    assert rows["dwave"]["available"] and "not contacted" in rows["dwave"]["reason"]
    monkeypatch.delenv("DWAVE_API_TOKEN")
    rows = {r["name"]: r for r in backend_status(good)}
    assert not rows["dwave"]["available"] and "no D-Wave credentials" in rows["dwave"]["reason"]
