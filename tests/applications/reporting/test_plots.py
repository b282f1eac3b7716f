"""Every report figure is written as a PNG."""

import numpy as np

from applications.reporting import plots

PNG = b"\x89PNG\r\n\x1a\n"


def test_plots_write_pngs(tmp_path):
    history = {
        "head": {"loss": [2.0, 1.0], "accuracy": [0.2, 0.5], "val_loss": [2.1, 1.2]},
        "full": {"loss": [0.9], "accuracy": [0.6]},
    }
    plots.plot_history(history, str(tmp_path / "history.png"))
    plots.plot_confusion_matrix(np.array([[3, 1], [0, 4]]), ["x", "y"], str(tmp_path / "cm.png"))
    mels = np.random.default_rng(0).normal(size=(3, 16, 10, 1))
    plots.plot_examples(mels, [0, 1, 1], [0, 0, 1], ["x", "y"], str(tmp_path / "ex.png"))
    for name in ("history.png", "cm.png", "ex.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_waveform_plot_writes_a_png_and_no_temporary_file(tmp_path):
    wave = np.sin(np.linspace(0, 200, 3000)).astype("float32")
    plots.plot_waveform(wave, 8000, str(tmp_path / "wave.png"), "a tone")
    assert (tmp_path / "wave.png").read_bytes()[:8] == PNG
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wave.png"]


def test_history_draws_the_baseline_as_a_horizontal_line(tmp_path, monkeypatch):
    import matplotlib.axes

    lines = []
    monkeypatch.setattr(
        matplotlib.axes.Axes, "axhline", lambda self, y, **kw: lines.append((self.get_ylabel(), y))
    )
    history = {"scratch": {"loss": [1.0, 0.5], "accuracy": [0.4, 0.8]}}
    plots.plot_history(history, str(tmp_path / "a.png"))
    assert lines == []
    plots.plot_history(history, str(tmp_path / "b.png"), baseline=0.75)
    assert [y for _, y in lines] == [0.75]
