"""`audiozoo demo`: a catalog model learns the synthetic digits."""

import re

from applications import cli


def test_demo_trains_to_well_above_chance(capsys):
    assert cli.main(["demo", "--epochs", "2", "--train-size", "1500"]) == 0
    out = capsys.readouterr().out
    accuracy = float(re.search(r"test accuracy ([0-9.]+)", out).group(1))
    assert accuracy > 0.8


def test_demo_rejects_too_few_examples(capsys):
    assert cli.main(["demo", "--train-size", "5"]) == 2
    assert "Received: epochs=5, train_size=5" in capsys.readouterr().err
