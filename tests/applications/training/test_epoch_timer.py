"""`EpochTimer`: the steady rate leaves out each epoch's first step (tracing, pipeline start)."""

import time

import keras
import numpy as np

from applications.training.callbacks import EpochTimer


class _SlowFirstStep(keras.callbacks.Callback):
    """Sleeps in the first step of every epoch, as tracing would."""

    def on_train_batch_begin(self, batch, logs=None):
        if batch == 0:
            time.sleep(0.5)


def test_steady_rate_counts_every_step_but_the_first_of_each_epoch():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    x, y = np.zeros((40, 4), np.float32), np.zeros(40, np.int32)
    timer = EpochTimer()
    model.fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[_SlowFirstStep(), timer])
    assert len(timer.seconds) == 2 and min(timer.seconds) > 0.5
    assert [steps for steps, _ in timer.steady] == [4, 4]  # 5 batches an epoch, less the first
    assert all(seconds < 0.5 for _, seconds in timer.steady)  # the slow first steps left out
    seconds = sum(s for _, s in timer.steady)
    assert timer.steady_rate(8) == round(8 * 8 / seconds, 1)
    assert timer.steady_rate(8) > 40 / min(timer.seconds)  # faster than the whole epoch's rate


def test_an_epoch_of_one_step_has_no_steady_rate():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    model.compile("sgd", "mse")
    timer = EpochTimer()
    model.fit(np.zeros((8, 4)), np.zeros((8, 2)), batch_size=8, epochs=1, verbose=0,
              callbacks=[timer])  # fmt: skip
    assert timer.steady == [] and timer.steady_rate(8) is None
