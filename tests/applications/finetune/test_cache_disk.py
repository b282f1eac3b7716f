"""`--cache disk`: the recipes' caches in `OUT/cache`, reused after a kill.

The from-scratch recipe caches log-mels; the transfer recipe (VGG) its frozen
backbone features.
"""

import pytest

from tests.applications.cli.test_finetune import TINY
from tests.applications.finetune.test_faults import SCRATCH, _kill_chain


@pytest.mark.slow  # four runs of the job: about 2-3 minutes on 2 busy cores
def test_disk_cache_is_reused_after_a_kill_and_the_run_repeats_an_uninterrupted_one(tmp_path):
    # Killed once the train cache is complete (its done.json renamed into place) and
    # again in refit, whose train + val stream mixes both caches: the reruns reuse
    # what is complete, and the result equals an uninterrupted --cache disk run.
    faults = ["wrote:done.json", "write:latest.weights.h5#4"]
    flags = [*SCRATCH, "--cache", "disk", "--refit", "on"]
    report, outputs = _kill_chain(tmp_path, flags, faults)
    assert "Log-mel cache: disk (--cache disk;" in outputs[0]
    assert "Wrote the log-mel-train cache" not in outputs[0]  # killed before saying so
    assert "Reusing the log-mel-train cache" in outputs[1]
    assert "Wrote the log-mel-val cache" in outputs[1]
    assert "Reusing the log-mel-train cache" in outputs[2]
    assert "Reusing the log-mel-val cache" in outputs[2]
    assert report["epochs"] == {"scratch": 3, "refit": 3}
    assert not (tmp_path / "killed" / "cache").exists()  # a finished run keeps no cache


def test_transfer_features_go_to_disk_and_a_killed_run_repeats_an_uninterrupted_one(tmp_path):
    # Killed once the train features are complete, then in the fine-tuning phase
    # (after the head phase, which read them): the reruns reuse the caches and the
    # result equals an uninterrupted --cache disk run.
    faults = ["wrote:done.json", "write:latest.weights.h5#4"]
    flags = [*TINY, "--seed", "3", "--no-baseline", "--cache", "disk"]
    report, outputs = _kill_chain(tmp_path, flags, faults)
    assert "Features cache: disk (--cache disk;" in outputs[0]
    assert "Reusing the features-train cache" in outputs[1]
    assert "Wrote the features-val cache" in outputs[1]
    assert "Cached backbone features of 24 train and" in outputs[1]
    assert report["epochs"] == {"head": 3, "full": 1}
    assert not (tmp_path / "killed" / "cache").exists()
