"""`wavenet train` never saves a NaN model; `wavenet generate` refuses one."""

import numpy as np
import soundfile as sf

from applications import cli

TRAIN = ["--epochs", "2", "--steps-per-epoch", "2", "--batch-size", "4", "--segment", "300"]
TRAIN += ["--sample-rate", "8000", "--unconditioned"]


def _data(root):
    for name, f0 in (("low", 220.0), ("high", 660.0)):
        (root / name).mkdir(parents=True)
        for i in range(3):
            t = np.arange(2000) / 8000
            sf.write(root / name / f"{i}.wav", 0.5 * np.sin(2 * np.pi * f0 * t), 8000)
    return str(root)


def test_train_with_a_diverging_learning_rate_fails_and_saves_nothing(tmp_path, capsys):
    out = tmp_path / "run"
    args = ["wavenet", "train", "--data", _data(tmp_path / "data"), "--out", str(out), *TRAIN]
    # nan may be refused up front (exit 2); a finite rate that diverges must fail the run.
    for rate, codes in (("nan", (1, 2)), ("1e30", (1,))):
        code = cli.main([*args, "--learning-rate", rate])
        err = capsys.readouterr().err
        assert code in codes, err
        assert "Traceback" not in err and not (out / "model.keras").exists()
    assert "Phase train: the training loss became nan" in err


def test_generate_refuses_a_model_with_nan_weights(tmp_path, capsys):
    import zoo

    model = zoo.create_model("wavenet_small")
    model.weights[0].assign(np.full(model.weights[0].shape, np.nan, "float32"))
    path = tmp_path / "model.keras"
    model.save(path)
    out = tmp_path / "a.wav"
    code = cli.main(
        ["wavenet", "generate", "--model", str(path), "--seconds", "0.01", "--out", str(out)]
    )
    err = capsys.readouterr().err
    assert code == 2, err
    assert "holds NaN or infinite weights" in err and not out.exists()
