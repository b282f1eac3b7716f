"""A summary row per registered model: what `audiozoo list` and the README show."""

import dataclasses

import keras

from zoo.registry import get_entry, list_models

__all__ = ["CatalogRow", "catalog", "markdown_table"]


@dataclasses.dataclass(frozen=True)
class CatalogRow:
    name: str
    family: str
    params: int
    paper: str


def catalog(pattern="*"):
    """Build each matching model at its default size and count its parameters.

    Building the VGG family allocates their weights, so this takes seconds.

    Returns:
        A list of `CatalogRow`, sorted by name.
    """
    rows = []
    for name in list_models(pattern):
        entry = get_entry(name)
        model = entry.build()
        rows.append(CatalogRow(name, entry.family, model.count_params(), entry.paper))
        del model
        keras.backend.clear_session(free_memory=True)
    return rows


def markdown_table(rows):
    """Render `CatalogRow`s as a Markdown table."""
    lines = ["| model | family | parameters | reproduces |", "|---|---|---:|---|"]
    lines += [f"| `{r.name}` | {r.family} | {r.params:,} | {r.paper} |" for r in rows]
    return "\n".join(lines) + "\n"
