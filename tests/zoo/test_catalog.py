"""The catalog, and the README's model table generated from the registry."""

from pathlib import Path

import zoo
from zoo import catalog as catalog_lib

README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_table():
    text = README.read_text(encoding="utf-8")
    begin, end = text.index(catalog_lib.README_BEGIN), text.index(catalog_lib.README_END)
    return text[begin + len(catalog_lib.README_BEGIN) : end].strip()


def test_readme_model_table_is_the_generated_one():
    rows = catalog_lib.catalog()
    assert [r.name for r in rows] == zoo.list_models()
    assert _readme_table() == catalog_lib.markdown_table(rows).strip(), (
        "README model table is stale: paste the output of `python -m zoo.catalog --markdown`"
    )


def test_main_prints_the_markdown_table(capsys):
    catalog_lib.main(["lwls*", "--markdown"])
    out = capsys.readouterr().out
    assert out == catalog_lib.markdown_table(catalog_lib.catalog("lwls*"))
    assert "| `lwls_cnn` | convnets | 122,270 | 122,270 |" in out
