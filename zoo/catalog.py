"""A summary row per registered model: what `audiozoo list` and the README show."""

import dataclasses

import keras
import numpy as np

from zoo.registry import get_entry, list_models

__all__ = ["CatalogRow", "catalog", "markdown_table"]


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
        >>> print(markdown_table(catalog("mlp*")))
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
        >>> markdown_table(catalog("lwls*")).splitlines()[2]
        '| `lwls_cnn` | convnets | 122,270 | 122,270 | Lindholm et al. 2022, Example 6.3 |'
    """
    lines = [
        "| model | family | parameters | trainable | reproduces |",
        "|---|---|---:|---:|---|",
    ]
    lines += [
        f"| `{r.name}` | {r.family} | {r.params:,} | {r.trainable:,} | {r.paper} |" for r in rows
    ]
    return "\n".join(lines) + "\n"
