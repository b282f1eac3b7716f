"""Run a model over a split once, in order: the predictions behind every report."""

import weakref

import numpy as np
import tensorflow as tf

__all__ = ["predict_batches"]

_INFERENCE_STEPS = weakref.WeakKeyDictionary()  # one traced function per model


def predict_batches(model, dataset, keep_inputs=0):
    """Run `model` over `(x, y)` batches once, in order.

    Args:
        model: a Keras model.
        dataset: `(x, label)` batches.
        keep_inputs: also return up to this many inputs, one per class first
            (for example plots), with their positions.

    Returns:
        `(probs, labels, (inputs, positions))`; inputs is None when none are kept.
    """
    if model not in _INFERENCE_STEPS:
        # reduce_retracing: a split's last, smaller batch must not trace (and warn) again.
        _INFERENCE_STEPS[model] = tf.function(
            lambda x: model(x, training=False), reduce_retracing=True
        )
    step = _INFERENCE_STEPS[model]
    outputs, labels, kept, seen = [], [], [], 0
    for x, y in dataset:
        outputs.append(np.asarray(step(x), dtype=np.float32))
        y = y.numpy()
        labels.append(y)
        if len(kept) < keep_inputs:
            shown = {label for _, label, _ in kept}
            for i, label in enumerate(y):
                if label not in shown and len(kept) < keep_inputs:
                    kept.append((x[i].numpy(), label, seen + i))
                    shown.add(label)
        seen += len(y)
    if not outputs:
        raise ValueError("The split holds no examples to run the model on.")
    examples = (
        (np.stack([k[0] for k in kept]), np.array([k[2] for k in kept])) if kept else (None, None)
    )
    return np.concatenate(outputs), np.concatenate(labels), examples
