"""Strategy resolution as a pure function of the hardware and TF_CONFIG."""

import json

import pytest

from applications.training import strategy


@pytest.mark.parametrize(
    "hardware, expected",
    [
        ({}, "default"),
        ({"num_gpus": 1}, "one_device"),
        ({"num_gpus": 4}, "mirrored"),
        ({"logical_cpus": 2}, "mirrored"),
        ({"num_workers": 2, "num_gpus": 4}, "multi_worker"),
        ({"num_workers": 1, "num_gpus": 1}, "one_device"),
        ({"tpu_configured": True, "num_workers": 2}, "tpu"),
    ],
)
def test_auto_picks_tpu_then_workers_then_gpus(hardware, expected):
    assert strategy.choose_kind("auto", **hardware) == expected


def test_explicit_kind_wins_and_unknown_is_rejected():
    assert strategy.choose_kind("default", num_gpus=8) == "default"
    with pytest.raises(ValueError, match="strategy='gpu'"):
        strategy.choose_kind("gpu")


def test_tf_config_workers_and_chief():
    two = {"cluster": {"worker": ["a:1", "b:2"]}, "task": {"type": "worker", "index": 1}}
    env = {"TF_CONFIG": json.dumps(two)}
    assert strategy.cluster_workers(env) == 2
    assert not strategy.is_chief(env)
    two["task"]["index"] = 0
    assert strategy.is_chief({"TF_CONFIG": json.dumps(two)})
    with_chief = {
        "cluster": {"chief": ["c:0"], "worker": ["a:1"]},
        "task": {"type": "worker", "index": 0},
    }
    assert strategy.cluster_workers({"TF_CONFIG": json.dumps(with_chief)}) == 2
    assert not strategy.is_chief({"TF_CONFIG": json.dumps(with_chief)})
    assert strategy.cluster_workers({}) == 0 and strategy.is_chief({})
    with pytest.raises(ValueError, match="TF_CONFIG is not valid JSON"):
        strategy.cluster_workers({"TF_CONFIG": "{worker"})


def test_resolve_default_in_process(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    info = strategy.resolve_strategy("auto")
    assert (info.kind, info.num_replicas, info.is_chief) == ("default", 1, True)
    assert not info.uses_custom_loop


def test_multi_worker_without_tf_config_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(ValueError, match="needs TF_CONFIG"):
        strategy.resolve_strategy("multi_worker")
