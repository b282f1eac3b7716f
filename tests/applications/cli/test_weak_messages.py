"""Issue 28, items 10 and 11: the one-line messages the probe found weak, now useful."""

import pytest

from applications.cli import main


def test_baseline_batch_size_names_its_own_flag(tmp_path, capsys):
    assert main(["baseline", "--batch-size", "0", "--out", str(tmp_path / "b")]) == 2
    err = capsys.readouterr().err
    assert "`batch_size` must be an integer >= 1. Received: batch_size=0" in err
    assert "--batch-size" in err and "--epochs" not in err and "--finetune-epochs" not in err


def test_filters_on_a_text_file_named_keras_says_it_is_no_archive(tmp_path, capsys):
    fake = tmp_path / "model.keras"
    fake.write_text("not a model\n")
    assert main(["filters", str(fake), "--out", str(tmp_path / "f.png")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (
        f"audiozoo filters: error: MODEL {str(fake)!r} is not a .keras archive (12 bytes, not a "
        "zip file: corrupt or truncated)."
    )
    assert "File not found" not in "".join(err)


def test_filters_out_under_a_file_names_the_file(tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    out = tmp_path / "afile" / "f.png"
    assert main(["filters", "vgg11", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"--out {str(out)!r}: {str(tmp_path / 'afile')!r} is a file" in err
    assert "Errno" not in err


@pytest.mark.parametrize(
    "argv, prog, message",
    [
        (["finetune", "--epochs", "x"], "audiozoo finetune", "argument --epochs: invalid int"),
        (["music", "train", "--model", "nope"], "audiozoo music train", "invalid choice: 'nope'"),
        (["filters"], "audiozoo filters", "the following arguments are required: MODEL"),
        (["nope"], "audiozoo", "argument COMMAND: invalid choice: 'nope'"),
    ],
)
def test_a_parser_error_is_one_line_and_a_help_hint(capsys, argv, prog, message):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "usage:" not in err
    assert err.splitlines() == [
        err.splitlines()[0],
        f"  hint: see `{prog} --help`",
    ]
    assert err.startswith(f"{prog}: error: ") and message in err.splitlines()[0]
