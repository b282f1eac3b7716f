"""Write music with trained models: harmonise a melody, answer a human voice 16th by 16th.

`audiozoo music harmonize|duet` checks its flags; these functions load the
`.keras` files (refusing a model of another kind), check the input score, write
the result (MIDI or MusicXML, temp-then-rename) and, with `wav`, render it
with fluidsynth. Each file written is announced in a `wrote PATH` line.
Only light modules are imported here at load time: the command line reads
`TOP_P` while it builds its parser, before TensorFlow starts.

Example:
    >>> melody = read_input("melody", "melody.mid", "chorale.mid")
    >>> harmonize_melody(model, melody, "chorale.mid", temperature=0.6, beam=0, seed=0)
"""

import os

from applications.errors import UsageError

__all__ = ["TOP_P", "load_model", "read_input", "harmonize_melody", "duet"]

# Chosen on the validation chorales (README, "Music generation"): the tail beyond it
# is where sampled voices pick up parallels and crossings.
TOP_P = 0.9
# A layer only each kind of model has.
KIND_LAYERS = {"harmonize": "voice_lstm", "duet": "human_embedding", "key": "key_probs"}
TRAIN_HINT = "Train one with: audiozoo music train --model {kind} --out runs/{out}"
VOICES = ["Soprano", "Alto", "Tenor", "Bass"]


def load_model(flag, path, kind=None):
    """Load the `.keras` file `flag` names; refuse one that is not a `kind` model.

    Args:
        flag: e.g. `--model`, named in every error.
        path: the `.keras` file (safe mode; NaN weights refused).
        kind: `harmonize`, `duet` or `key`: the model must hold the layer
            only that kind has; None accepts any music model.

    Returns:
        The loaded Keras model.
    """
    from applications.trained import load_keras_file

    hint = TRAIN_HINT.format(kind=kind or "harmonize", out=kind or "harm")
    model = load_keras_file(flag, path, hint)
    if kind is not None and KIND_LAYERS[kind] not in {layer.name for layer in model.layers}:
        raise UsageError(
            f"{flag} {path!r} is not a {kind} model", hint=f"Train one with --model {kind}."
        )
    return model


def read_input(flag, path, out):
    """Check the input score `path` and the format of `out`, then read the one voice of `path`.

    Returns:
        `(tokens, beat, key)` of the voice on the 16th grid (`grid.read_melody`).
    """
    from applications.music.grid import read_melody
    from applications.music.render import score_format

    if not os.path.isfile(path):
        raise UsageError(f"{flag} {path!r} does not exist or is not a file.")
    score_format(out)
    return read_melody(path)


def _finish(tokens, out, names, wav, log):
    from applications.music.render import render_wav, write_score

    write_score(tokens, out, names)
    log(f"wrote {out}")
    if wav:
        midi = out
        if not out.lower().endswith((".mid", ".midi")):
            midi = os.path.splitext(out)[0] + ".mid"
            write_score(tokens, midi, names)
        wav_path = os.path.splitext(out)[0] + ".wav"
        render_wav(midi, wav_path)
        log(f"wrote {wav_path}")


def harmonize_melody(
    model,
    melody,
    out,
    *,
    temperature,
    beam,
    seed,
    forbid_parallels=False,
    top_p=TOP_P,
    wav=False,
    log=print,
):
    """Write bass, tenor and alto under `melody` and save the four parts to `out`.

    Args:
        model: a harmoniser (`part_invariant_harmonizer`).
        melody: `(tokens, beat, key)` from `read_input`.
        out: the `.mid`/`.midi`/`.musicxml`/`.xml` to write.
        temperature: 0 decodes greedily.
        beam: beam width (0: sample).
        seed: seeds the sampling.
        forbid_parallels: refuse parallel fifths and octaves while decoding.
        top_p: nucleus sampling's mass (1: all tokens).
        wav: also render `OUT.wav` with fluidsynth.
        log: prints the `wrote` lines.
    """
    import numpy as np

    import zoo.music
    from applications.music.evaluate import ORDER
    from zoo.music.vocab import MASK

    tokens, beat, key = melody
    parts = np.full((len(tokens), 4), MASK, np.int32)
    parts[:, 0] = tokens
    steps = zoo.music.HarmonizerSteps(model)
    # Looked up at call time (zoo.music.harmonize), so a test can watch the decoding.
    written = zoo.music.harmonize(
        steps, parts, beat, key, ORDER, temperature, beam, seed, forbid_parallels, top_p
    )
    _finish(written, out, VOICES, wav, log)


def duet(model, human, out, *, key_model=None, temperature, seed, wav=False, log=print):
    """Feed the human voice 16th by 16th to the streaming duet model; save both voices.

    Args:
        model: a duet model (`bachduet`).
        human: `(tokens, beat, key)` from `read_input`.
        out: the score to write (human + machine).
        key_model: a key estimator: the key at each 16th is estimated from the
            notes so far, as live; None: the key of the whole file.
        temperature: 0 decodes greedily.
        seed: seeds the sampling.
        wav: also render `OUT.wav` with fluidsynth.
        log: prints the `wrote` lines.
    """
    import numpy as np

    from zoo.music import DuetStream

    tokens, beat, key = human
    if key_model is not None:
        key = None  # estimated 16th by 16th
    stream = DuetStream(model, key_model=key_model)
    rng = np.random.default_rng(seed)
    machine = [stream.respond(h, b, key, temperature, rng) for h, b in zip(tokens, beat)]
    _finish(np.stack([tokens, np.array(machine)], axis=1), out, ["Human", "Machine"], wav, log)
