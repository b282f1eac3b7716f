"""A summary row per registered model: what `audiozoo list` and the README show.

The README's model table is generated from the registry, never written by hand:
`python -m zoo.catalog --markdown` prints it, and `tests/zoo/test_catalog.py`
checks that the README holds exactly that table between its markers.
"""

import argparse
import dataclasses

import keras
import numpy as np

from zoo.registry import get_entry, list_models

__all__ = ["CatalogRow", "README_BEGIN", "README_END", "catalog", "main", "markdown_table"]

# The README's generated table sits between these two lines.
README_BEGIN = "<!-- model-table:begin -->"
README_END = "<!-- model-table:end -->"


@dataclasses.dataclass(frozen=True)
class CatalogRow:
    """One model of the catalog: its name, family, parameters at the defaults, and source.

    `params` counts every weight (batch-norm moving statistics too, as Keras does);
    `trainable` only those a gradient updates, the figure papers usually state.
    """

    name: str
    family: str
    params: int
    trainable: int
    paper: str


def catalog(pattern="*"):
    """Build each matching model at its default size and count its parameters.

    Building the VGG models allocates their weights, so this takes seconds.

    Args:
        pattern: fnmatch pattern over the registered names.

    Returns:
        A list of `CatalogRow`, sorted by name.

    Example:
        >>> catalog("mlp*")
        [CatalogRow(name='mlp_mnist', family='convnets', params=159010, trainable=159010, ...)]
    """
    rows = []
    for name in list_models(pattern):
        entry = get_entry(name)
        model = entry.build()
        trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
        rows.append(CatalogRow(name, entry.family, model.count_params(), trainable, entry.paper))
        del model
        keras.backend.clear_session(free_memory=True)
    return rows


def markdown_table(rows):
    """Render `CatalogRow`s as a Markdown table.

    Example:
        >>> print(markdown_table(catalog("lwls*")), end="")
        | model | family | parameters | trainable | reproduces |
        |---|---|---:|---:|---|
        | `lwls_cnn` | convnets | 122,270 | 122,270 | Lindholm et al. 2022, Example 6.3 |
    """
    lines = [
        "| model | family | parameters | trainable | reproduces |",
        "|---|---|---:|---:|---|",
    ]
    lines += [
        f"| `{r.name}` | {r.family} | {r.params:,} | {r.trainable:,} | {r.paper} |" for r in rows
    ]
    return "\n".join(lines) + "\n"


def main(argv=None):
    """`python -m zoo.catalog [PATTERN] --markdown`: print the catalog (as the README's table).

    Args:
        argv: command-line arguments; `None` reads `sys.argv`.
    """
    parser = argparse.ArgumentParser(prog="python -m zoo.catalog", description=__doc__)
    parser.add_argument("pattern", nargs="?", default="*", help="fnmatch pattern, e.g. 'vgg*'")
    parser.add_argument("--markdown", action="store_true", help="print the Markdown table")
    args = parser.parse_args(argv)
    rows = catalog(args.pattern)
    if args.markdown:
        print(markdown_table(rows), end="")
    else:
        for r in rows:
            print(f"{r.name}\t{r.family}\t{r.params}\t{r.trainable}\t{r.paper}")


if __name__ == "__main__":
    main()
