"""`audiozoo filters`: draw a conv layer's filters from a registry model, a `.keras` file or weights.

MODEL is a registry name (`audiozoo list`; with `--weights FILE` for trained
filters, else the random initial ones), a `.keras` file (e.g. `audiozoo
finetune`'s `OUT/model.keras`, loaded in safe mode), or an HDF5 weights file
read directly, without building any model (keras.applications' Keras-2 layout,
layers in model order, or Keras 3 `.weights.h5`, layers named by class order:
`conv2d`, `conv2d_1`, ...).
"""

import os
import re

from applications.cli import checks

__all__ = ["register", "run_filters", "file_kernels"]


def register(subparsers):
    """Add `filters` to the `audiozoo` parser.

    Args:
        subparsers: what `argparse.ArgumentParser.add_subparsers` returned.
    """
    p = subparsers.add_parser(
        "filters",
        help="draw a conv layer's filters as a PNG",
        description="Draw a conv layer's filters as a PNG, from a registry model, a .keras file "
        "or a weights file.",
    )
    p.add_argument("model", metavar="MODEL", help="registry name | FILE.keras | weights FILE.h5")
    p.add_argument("--layer", help="conv layer name (default: the first conv layer)")
    p.add_argument("--out", default="filters.png", help="PNG to write (default filters.png)")
    p.add_argument(
        "--weights", help="weights file for a registry MODEL (default: none, random filters)"
    )
    p.add_argument(
        "--frequency-axis",
        choices=("auto", "height", "width"),
        default="auto",
        help="which kernel axis of a 1-channel model is frequency (auto: width for "
        "(frames, mels) inputs such as PANNs, else height)",
    )
    p.set_defaults(func=run_filters)


def _natural(text):
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def _strings(values):
    return [v.decode("utf8") if hasattr(v, "decode") else str(v) for v in values]


def file_kernels(path):
    """`[(layer, kernel)]` of every conv kernel (rank 3 or 4) in an HDF5 weights file, in order.

    Args:
        path: a Keras-2 layout file (keras.applications; order of `layer_names`)
            or a Keras 3 `.weights.h5` file (names such as `conv2d_1`, natural order).

    Raises:
        ValueError: the file is not a Keras HDF5 weights file.

    Example:
        >>> [name for name, _ in file_kernels("vgg16_notop.h5")][:2]
        ['block1_conv1', 'block1_conv2']
    """
    import h5py
    import numpy as np

    if not h5py.is_hdf5(path):
        raise ValueError(f"MODEL {path!r} is not an HDF5 weights file (nor a .keras file).")
    found = []
    with h5py.File(path, "r") as f:
        root = f["model_weights"] if "model_weights" in f else f
        if "layer_names" in root.attrs:
            for layer in _strings(root.attrs["layer_names"]):
                for weight in _strings(root[layer].attrs.get("weight_names", [])):
                    array = root[layer][weight]
                    if "kernel" in weight and array.ndim in (3, 4):
                        found.append((layer, np.asarray(array)))
        elif "layers" in f:
            paths = []
            f["layers"].visititems(
                lambda name, obj: (
                    paths.append(name)
                    if name.endswith("vars/0")
                    and isinstance(obj, h5py.Dataset)
                    and obj.ndim in (3, 4)
                    else None
                )
            )
            for name in sorted(paths, key=_natural):
                found.append((name[: -len("/vars/0")], np.asarray(f["layers"][name])))
        else:
            raise ValueError(
                f"MODEL {path!r} is HDF5 but not a Keras weights file (no `layer_names` "
                "attribute, no `layers` group)."
            )
    return found


def _build(name, weights, log):
    import zoo

    try:
        model = zoo.create_model(name, include_top=False, weights=weights)
    except TypeError:  # a builder without the keras.applications arguments
        model = zoo.create_model(name, **({"weights": weights} if weights else {}))
    if weights is None:
        log(f"{name}: random initial weights (pass --weights FILE to draw trained filters).")
    return model


def _frequency_axis(choice, model):
    if choice != "auto":
        return choice
    shape = tuple(model.inputs[0].shape) if model is not None and model.inputs else ()
    # PANNs take (frames, mels, 1): a free first axis is time, so frequency is across.
    return "width" if len(shape) == 4 and shape[1] is None and shape[2] is not None else "height"


def run_filters(args, log=print):
    """`audiozoo filters`: write the PNG of a conv layer's filters.

    Args:
        args: the parsed `model`, `layer`, `out`, `weights` and `frequency_axis`.
        log: prints what was drawn.

    Returns:
        0.

    Raises:
        FileNotFoundError: MODEL is neither a registry name nor a file.
        ValueError: a bad file, layer or flag combination.

    Example:
        audiozoo filters alexnet --weights alexnet.weights.h5 --out conv1.png
    """
    import zoo
    from applications.reporting.filters import conv_kernel, pick_kernel, plot_kernel

    spec, model = args.model, None
    checks.output_file("--out", args.out)
    if args.weights and spec not in zoo.list_models():
        raise ValueError(
            f"--weights goes with a registry MODEL name; {spec!r} is not one "
            f"(`audiozoo list`). Received: weights={args.weights!r}"
        )
    if spec in zoo.list_models():
        if args.weights and not os.path.exists(args.weights):
            raise FileNotFoundError(f"--weights file {args.weights!r} does not exist.")
        model = _build(spec, args.weights, log)
        name, kernel = conv_kernel(model, args.layer)
    elif os.path.isfile(spec) and spec.endswith(".keras"):
        from applications.trained import load_keras_file

        # Names the file and what is wrong with it (Keras says "File not found" for a
        # file that exists but is no zip).
        model = load_keras_file("MODEL", spec, "pass a .keras file saved by Keras 3")
        name, kernel = conv_kernel(model, args.layer)
    elif os.path.isfile(spec):
        name, kernel = pick_kernel(file_kernels(spec), args.layer, repr(spec))
    else:
        raise FileNotFoundError(
            f"MODEL {spec!r} is neither a registry name (`audiozoo list`), a .keras file nor a "
            "weights file."
        )
    title = f"{model.name if model is not None else os.path.basename(spec)} / {name}"
    plot_kernel(kernel, args.out, title, _frequency_axis(args.frequency_axis, model))
    log(f"Drew {kernel.shape[-1]} filters of {name} (kernel {kernel.shape}) to {args.out}")
    return 0
