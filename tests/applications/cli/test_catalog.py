"""`audiozoo list` and `summary`, and the README's model table."""

import re
from pathlib import Path

import pytest

from applications import cli
from applications.cli import catalog as catalog_cli

README = Path(__file__).resolve().parents[3] / "README.md"


def test_list_prints_each_matching_model_with_its_parameter_count(capsys):
    assert cli.main(["list", "mlp*"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"mlp_mnist\s+convnets\s+159,010", out)
    assert "lwls_cnn" not in out


def test_summary_prints_layers(capsys):
    assert cli.main(["summary", "lwls_cnn"]) == 0
    out = capsys.readouterr().out
    assert "conv3" in out and "122,270" in out


def test_unknown_model_is_one_clear_error_line(capsys):
    assert cli.main(["summary", "lwls"]) == 2
    err = capsys.readouterr().err
    assert "Did you mean: lwls_cnn" in err and "Traceback" not in err


def test_update_readme_rewrites_only_the_table(tmp_path):
    path = tmp_path / "README.md"
    path.write_text(f"intro\n{catalog_cli.README_BEGIN}\nold\n{catalog_cli.README_END}\nouttro\n")
    catalog_cli.update_readme(path, "| new |\n")
    assert (
        path.read_text()
        == f"intro\n{catalog_cli.README_BEGIN}\n| new |\n{catalog_cli.README_END}\nouttro\n"
    )


def test_update_readme_without_markers_says_what_to_add(tmp_path):
    path = tmp_path / "README.md"
    path.write_text("no table here\n")
    with pytest.raises(ValueError, match="model-table:begin"):
        catalog_cli.update_readme(path, "| new |\n")
