"""Pictures of convolution filters: one tile per output channel, as the lecture draws them.

- RGB input (3 channels), e.g. AlexNet's `conv1` (96 kernels 11x11x3): each
  kernel is a colour tile, min-max scaled to [0, 1] on its own (Krizhevsky et al.
  2012, figure 3).
- One channel, a spectrogram model: each kernel is a frequency x time tile with
  frequency up, in a diverging map centred on 0 scaled by the kernel's largest
  magnitude (red positive, blue negative).
- Any other channel count: the mean over input channels, drawn as one channel.
- 1-D convolutions: each kernel's weights (mean over input channels) as a curve.
"""

import math

import matplotlib

matplotlib.use("Agg")
import keras  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from applications.atomic_io import atomic_path  # noqa: E402

__all__ = [
    "FREQUENCY_AXES",
    "conv_layers",
    "conv_kernel",
    "pick_kernel",
    "plot_kernel",
    "plot_filters",
]

FREQUENCY_AXES = ("height", "width")


def _walk(model):
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _walk(layer)
        else:
            yield layer


def conv_layers(model):
    """`[(name, kernel)]` of every layer of `model` (nested models included) with a conv kernel.

    A conv kernel is a `kernel` weight of rank 3 (`Conv1D`) or 4 (`Conv2D`).

    Example:
        >>> [name for name, _ in conv_layers(zoo.create_model("lwls_cnn"))]
    """
    found = []
    for layer in _walk(model):
        kernel = getattr(layer, "kernel", None)
        if kernel is not None and len(kernel.shape) in (3, 4):
            found.append((layer.name, np.asarray(kernel)))
    return found


def conv_kernel(model, layer=None):
    """The kernel of conv layer `layer` of `model`, or of its first conv layer.

    Returns:
        `(name, kernel)`.

    Raises:
        ValueError: no conv layer, or `layer` is not one (the message lists them).
    """
    return pick_kernel(conv_layers(model), layer, f"model {model.name!r}")


def pick_kernel(found, layer, where):
    """`(name, kernel)` named `layer` among `found`, or the first when `layer` is None.

    Args:
        found: `(name, kernel)` pairs, in layer order.
        layer: the wanted layer's name, or None.
        where: what holds them, for the messages (a model, a file).

    Raises:
        ValueError: `found` is empty, or has no `layer` (the message lists the names).
    """
    if not found:
        raise ValueError(f"{where} holds no Conv1D/Conv2D kernel to draw.")
    if layer is None:
        return found[0]
    for name, kernel in found:
        if name == layer:
            return name, kernel
    names = ", ".join(name for name, _ in found[:20])
    raise ValueError(
        f"--layer {layer!r} is not a conv layer of {where}; its conv layers: {names}. "
        f"Received: layer={layer!r}"
    )


def _grid(count):
    cols = math.ceil(math.sqrt(count * 4 / 3))
    return math.ceil(count / cols), cols


def _tile(kernel, i, frequency_axis):
    """One output channel as `(image, kwargs for imshow)`."""
    k = kernel[..., i]
    if k.shape[-1] == 3:
        span = k.max() - k.min()
        return (k - k.min()) / (span if span > 0 else 1.0), {}
    k = k.mean(axis=-1)
    if frequency_axis == "width":
        k = k.T  # frequency up, time across
    peak = np.abs(k).max() or 1.0
    return k, dict(cmap="RdBu_r", vmin=-peak, vmax=peak, origin="lower")


def plot_kernel(kernel, path, title="", frequency_axis="height", max_filters=256):
    """Draw a conv kernel `(kh, kw, in, out)` or `(k, in, out)` as a grid of tiles.

    Args:
        kernel: the kernel array, output channels last.
        path: the PNG to write (atomically).
        title: the figure title (the shape and what was drawn are appended).
        frequency_axis: for one-channel kernels, which kernel axis is frequency:
            `"height"` (zoo.audio log-mels, `(mels, frames)`) or `"width"` (PANNs,
            `(frames, mels)`); it is drawn upward.
        max_filters: draw at most this many output channels (the first ones).

    Example:
        >>> plot_kernel(np.random.randn(11, 11, 3, 96), "alexnet_conv1.png", "conv1")
    """
    kernel = np.asarray(kernel, dtype=np.float64)
    if kernel.ndim not in (3, 4) or 0 in kernel.shape:
        raise ValueError(f"A conv kernel must have rank 3 or 4. Received: shape={kernel.shape}")
    if frequency_axis not in FREQUENCY_AXES:
        raise ValueError(
            f"`frequency_axis` must be one of {FREQUENCY_AXES}. Received: "
            f"frequency_axis={frequency_axis!r}"
        )
    count = min(kernel.shape[-1], max_filters)
    rows, cols = _grid(count)
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 0.75 + 0.5, rows * 0.75 + 0.8))
    axes = np.atleast_1d(axes).ravel()
    shape = "x".join(str(s) for s in kernel.shape[:-1])
    if kernel.ndim == 3:
        what = "weights over time"
    elif kernel.shape[2] == 3:
        what = "RGB, each tile min-max scaled"
    elif kernel.shape[2] == 1:
        what = "frequency up, time across; red +, blue -"
    else:
        what = f"mean over {kernel.shape[2]} input channels"
    for i, ax in enumerate(axes):
        ax.set_axis_off()
        if i >= count:
            continue
        if kernel.ndim == 3:
            ax.plot(kernel[:, :, i].mean(axis=1), linewidth=0.8)
            ax.axhline(0, color="grey", linewidth=0.4)
        else:
            image, style = _tile(kernel, i, frequency_axis)
            ax.imshow(image, interpolation="nearest", **style)
    shown = f"first {count} of " if count < kernel.shape[-1] else ""
    fig.suptitle(
        f"{title}: {shown}{kernel.shape[-1]} filters {shape} ({what})".lstrip(": "), fontsize=9
    )
    fig.subplots_adjust(wspace=0.08, hspace=0.08)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)


def plot_filters(model, layer=None, path="filters.png", frequency_axis="height"):
    """Draw the filters of a conv layer of `model` (default: its first) to `path`.

    Args:
        model: a Keras model (nested models are searched).
        layer: the conv layer's name; None for the first conv layer.
        path: the PNG to write.
        frequency_axis: see `plot_kernel`.

    Returns:
        The name of the layer drawn.

    Example:
        >>> plot_filters(zoo.create_model("alexnet"), path="alexnet_conv1.png")
        'conv1'
    """
    name, kernel = conv_kernel(model, layer)
    plot_kernel(kernel, path, f"{model.name} / {name}", frequency_axis)
    return name
