"""Synthetic handwriting-like digits: an MNIST stand-in that needs no download.

Each example is a digit glyph from one of matplotlib's bundled fonts, put
through a random affine map (rotation, scale, shear, shift) and rasterised
with anti-aliasing into a 28x28 image in [0, 1], then lightly noised.
"""

import numpy as np
from matplotlib.font_manager import FontProperties
from matplotlib.path import Path
from matplotlib.textpath import TextPath
from matplotlib.transforms import Affine2D

FONTS = ("DejaVu Sans", "DejaVu Serif", "DejaVu Sans Mono")
SIZE = 28
SUPERSAMPLE = 2


def _glyph(digit, family):
    path = TextPath((0, 0), str(digit), size=1, prop=FontProperties(family=family))
    (x0, y0), (x1, y1) = path.get_extents().get_points()
    # Centre the glyph and scale its height to 1, as MNIST's 20-pixel box does.
    return (
        Affine2D()
        .translate(-(x0 + x1) / 2, -(y0 + y1) / 2)
        .scale(1 / (y1 - y0))
        .transform_path(path)
    )


def make_digits(num_examples, seed=0):
    """Return `(images, labels)`: float32 `(n, 28, 28, 1)` and int32 `(n,)`.

    Args:
        num_examples: number of images.
        seed: makes the set reproducible.
    """
    rng = np.random.default_rng(seed)
    glyphs = {(d, f): _glyph(d, f) for d in range(10) for f in FONTS}
    grid = (np.arange(SIZE * SUPERSAMPLE) + 0.5) / SUPERSAMPLE
    gx, gy = np.meshgrid(grid, grid)
    points = np.stack([gx.ravel(), SIZE - gy.ravel()], axis=1)
    labels = rng.integers(0, 10, num_examples).astype("int32")
    images = np.empty((num_examples, SIZE, SIZE, 1), "float32")
    for i, label in enumerate(labels):
        path = glyphs[(int(label), FONTS[rng.integers(len(FONTS))])]
        transform = (
            Affine2D()
            .skew_deg(rng.uniform(-12, 12), 0)
            .scale(rng.uniform(16, 22))
            .rotate_deg(rng.uniform(-15, 15))
            .translate(SIZE / 2 + rng.uniform(-2.5, 2.5), SIZE / 2 + rng.uniform(-2.5, 2.5))
        )
        inside = Path(transform.transform(path.vertices), path.codes).contains_points(points)
        mask = inside.reshape(SIZE, SUPERSAMPLE, SIZE, SUPERSAMPLE).mean(axis=(1, 3))
        images[i, :, :, 0] = mask
    images += rng.normal(0, 0.05, images.shape).astype("float32")
    return np.clip(images, 0, 1), labels
