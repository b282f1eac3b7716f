"""`audiozoo list` and `audiozoo summary`: browse the model catalog."""

import re

README_BEGIN = "<!-- model-table:begin -->"
README_END = "<!-- model-table:end -->"


def register(subparsers):
    """Add `list` and `summary` to the `audiozoo` parser.

    Args:
        subparsers: what `argparse.ArgumentParser.add_subparsers` returned.
    """
    p = subparsers.add_parser("list", help="list registered models with parameter counts")
    p.add_argument("pattern", nargs="?", default="*", help="fnmatch pattern, e.g. 'vgg*'")
    p.add_argument("--markdown", action="store_true", help="print a Markdown table")
    p.add_argument(
        "--update-readme",
        metavar="README",
        help="rewrite the model table between the markers in this README",
    )
    p.set_defaults(func=run_list)

    p = subparsers.add_parser("summary", help="print a model's layer summary")
    p.add_argument("name", help="registered model name")
    p.set_defaults(func=run_summary)


def run_list(args):
    """`audiozoo list`: print the matching models, as text or Markdown, or update a README.

    Args:
        args: the parsed `pattern`, `markdown` and `update_readme` options.
    """
    from zoo.catalog import catalog, markdown_table

    rows = catalog(args.pattern)
    if args.update_readme:
        update_readme(args.update_readme, markdown_table(rows))
        print(f"Updated the model table in {args.update_readme} ({len(rows)} models).")
    elif args.markdown:
        print(markdown_table(rows), end="")
    else:
        width = max([len(r.name) for r in rows] + [5])
        print(f"{'model':<{width}}  {'family':<10} {'parameters':>13}  reproduces")
        for r in rows:
            print(f"{r.name:<{width}}  {r.family:<10} {r.params:>13,}  {r.paper}")


def update_readme(path, table):
    """Replace the text between the model-table markers of a README with `table`.

    Args:
        path: the README file.
        table: the new Markdown table.

    Raises:
        ValueError: the file has no markers.
    """
    with open(path, encoding="utf-8") as f:
        text = f.read()
    pattern = re.compile(re.escape(README_BEGIN) + r".*?" + re.escape(README_END), re.S)
    if not pattern.search(text):
        raise ValueError(
            f"{path} has no model table markers; add the lines {README_BEGIN} and {README_END}."
        )
    text = pattern.sub(lambda _: f"{README_BEGIN}\n{table}{README_END}", text)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def run_summary(args):
    """`audiozoo summary NAME`: build a registered model and print its layers.

    Args:
        args: the parsed `name`.
    """
    import zoo

    zoo.create_model(args.name).summary()
