"""ibab/tensorflow-wavenet's global-conditioning test recipe, run on `zoo.wavenet.WaveNet`.

The recipe (`test/test_model.py`, `TestNetWithGlobalConditioning`): three
speakers, speaker k ONE sine (155.56, 196.00, 233.08 Hz at amplitudes 0.6,
0.5, 0.4) after 10-128 samples of leading silence, 0.5 s at 2 kHz, left-padded
with `receptive_field - 1` zeros; dilations 1..64 twice, filter width 2,
residual/dilation 32, skip 256, 256 mu-law classes, biases, a 3-wide speaker
embedding; one batch of the three clips, SGD lr 0.01 momentum 0.95, 1000
steps; pass: final loss < 0.1 and < 0.02 x the initial loss, and each
speaker's generated audio has 10x more power at its own frequency than at the
other two. Variants (`--embedding`): `keras` (Keras' default uniform(+-0.05)
embedding), `onehot` (ibab's: an identity table when channels == classes), `normal`
(N(0, 1), torch.nn.Embedding's).
`--loss-from-receptive-field` scores only outputs that see a full receptive
field, as ibab's loss does.

Prints one JSON object per run. Run:
`python benchmarks/wavenet_gc_recipe.py [--steps 1000] [--seeds 0 1 2] [--embedding keras onehot]`
"""

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from zoo.wavenet import WaveNet  # noqa: E402
from zoo.wavenet.data import waveform_pairs  # noqa: E402

RATE, SECONDS = 2000.0, 0.5
FREQS, AMPS = (155.56, 196.00, 233.08), (0.6, 0.5, 0.4)


def speaker_waves(seed, seconds=SECONDS):
    """`(3, samples)`: speaker k's sine after a random 10..128-sample leading silence."""
    rng = np.random.default_rng(seed)
    t = np.arange(0.0, seconds, 1.0 / RATE)
    silence = int(rng.integers(10, 129))
    waves = np.zeros((3, t.size))
    for k, (f, a) in enumerate(zip(FREQS, AMPS)):
        waves[k, silence:] = a * np.sin(2 * np.pi * f * (t[silence:] - t[silence]))
    return waves.astype("float32")


def recipe_model(embedding="keras", **overrides):
    settings = dict(
        dilations=(1, 2, 4, 8, 16, 32, 64) * 2,
        residual_channels=32,
        dilation_channels=32,
        skip_channels=256,
        global_condition_classes=3,
        global_condition_channels=3,
    )
    settings.update(overrides)
    model = WaveNet(**settings)
    table = model.get_layer("global_embedding").embeddings
    if embedding == "onehot":
        table.assign(np.eye(*table.shape, dtype="float32"))
    elif embedding == "normal":  # torch.nn.Embedding's N(0, 1)
        table.assign(np.random.default_rng(0).standard_normal(table.shape).astype("float32"))
    return model


def power_ratios(audio):
    """Per stream: power at its own frequency / power at the other two (ibab's check)."""
    spectrum = np.abs(np.fft.rfft(audio, axis=1)) ** 2
    freqs = np.fft.rfftfreq(audio.shape[1], 1 / RATE)
    near = [np.abs(freqs - f).argmin() for f in FREQS]
    return [
        float(
            spectrum[k, near[k]] / max(sum(spectrum[k, near[j]] for j in range(3) if j != k), 1e-30)
        )
        for k in range(3)
    ]


def run(seed, steps, embedding, masked, overrides=None, generate=1000, seconds=SECONDS):
    """Train the recipe (at `overrides` sizes) and return its figures as a dict."""
    keras.utils.set_random_seed(seed)
    model = recipe_model(embedding, **(overrides or {}))
    rf = model.receptive_field
    waves = np.pad(speaker_waves(seed, seconds), ((0, 0), (rf - 1, 0)))
    x, y = (np.asarray(a) for a in waveform_pairs(waves))
    weights = np.ones(y.shape, "float32")
    if masked:
        weights[:, : rf - 1] = 0.0
    ids = np.arange(3, dtype="int32")
    model.compile(keras.optimizers.SGD(0.01, momentum=0.95), "sparse_categorical_crossentropy")
    inputs = {"audio": x, "global_condition": ids}
    start = time.perf_counter()
    initial = float(model.evaluate(inputs, y, sample_weight=weights, verbose=0, batch_size=3))
    losses = [float(model.train_on_batch(inputs, y, sample_weight=weights)) for _ in range(steps)]
    result = {
        "seed": seed,
        "embedding": embedding,
        "loss_from_receptive_field": masked,
        "steps": steps,
        "initial_loss": initial,
        "final_loss": losses[-1],
        "loss_every_100": [round(v, 4) for v in losses[99::100]],
        "train_s": round(time.perf_counter() - start, 1),
    }
    if generate:
        audio = model.generate(generate, batch_size=3, seed=seed, global_condition=[0, 1, 2])
        result["power"] = [float(np.mean(a**2)) for a in audio]
        result["own_over_others"] = power_ratios(audio)
    # Teacher-forced loss with each clip given another speaker's id: how much the id is used.
    swapped = {"audio": x, "global_condition": np.roll(ids, 1)}
    result["loss_wrong_speaker"] = float(
        model.evaluate(swapped, y, sample_weight=weights, verbose=0, batch_size=3)
    )
    result["passes"] = bool(
        result["final_loss"] < 0.1
        and result["final_loss"] < 0.02 * initial
        and (not generate or min(result["own_over_others"]) > 10)
    )
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--embedding", nargs="+", default=["keras", "onehot"])
    parser.add_argument("--loss-from-receptive-field", action="store_true")
    args = parser.parse_args()
    for embedding in args.embedding:
        for seed in args.seeds:
            print(json.dumps(run(seed, args.steps, embedding, args.loss_from_receptive_field)))


if __name__ == "__main__":
    main()
