"""Train `seq2seq` to reverse random digit sequences of length 5-10; print JSON.

Exact-sequence accuracy is measured on held-out sequences (none of them occurs
in the training set) with greedy decoding, after every epoch; training stops
once it reaches `--target` or after `--max-epochs`. CPU time is the process
time (all threads), so it stays comparable on a shared machine; wall time is
reported beside it.

    python benchmarks/seq2seq_reverse.py --seed 0
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import zoo  # noqa: E402
from zoo.recurrent.rnn import recommended_compile_kwargs  # noqa: E402
from machine_info import describe  # noqa: E402

PAD, START, END = 0, 11, 12  # digits d are tokens d + 1
VOCAB = 13


def make_data(n, rng, min_len=5, max_len=10, exclude=frozenset()):
    """`n` distinct digit sequences not in `exclude`, as padded model arrays."""
    seen, rows = set(exclude), []
    while len(rows) < n:
        digits = tuple(rng.integers(0, 10, rng.integers(min_len, max_len + 1)))
        if digits not in seen:
            seen.add(digits)
            rows.append(digits)
    source = np.zeros((n, max_len), "int32")
    decoder_in = np.zeros((n, max_len + 1), "int32")
    target = np.zeros((n, max_len + 1), "int32")
    for i, digits in enumerate(rows):
        tokens = np.array(digits) + 1
        source[i, : len(tokens)] = tokens
        reverse = tokens[::-1]
        decoder_in[i, : len(tokens) + 1] = np.concatenate([[START], reverse])
        target[i, : len(tokens) + 1] = np.concatenate([reverse, [END]])
    return rows, source, decoder_in, target


def exact_accuracy(model, source, target, beam_width=1):
    """Fraction of sequences whose decoded tokens up to END equal the target exactly."""
    decoded = model.decode(
        source, max_length=target.shape[1], start_token=START, end_token=END, beam_width=beam_width
    )
    correct = 0
    for row, want in zip(decoded, target):
        want = list(want[: list(want).index(END) + 1])
        got = list(row[: len(want)])
        correct += got == want
    return correct / len(target)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=20000)
    parser.add_argument("--test", type=int, default=1000)
    parser.add_argument("--units", type=int, default=128)
    parser.add_argument("--attention", default="luong", choices=["luong", "bahdanau", "none"])
    parser.add_argument("--max-epochs", type=int, default=30)
    parser.add_argument("--target", type=float, default=0.99)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    load_before = os.getloadavg()

    keras.utils.set_random_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    test_rows, x_test, d_test, y_test = make_data(args.test, rng)
    _, x_train, d_train, y_train = make_data(args.train, rng, exclude=frozenset(test_rows))
    attention = None if args.attention == "none" else args.attention
    model = zoo.create_model(
        "seq2seq",
        source_vocab_size=VOCAB,
        target_vocab_size=VOCAB,
        cell="lstm",
        units=args.units,
        attention=attention,
    )
    model.compile(
        **recommended_compile_kwargs(loss="sparse_categorical_crossentropy", learning_rate=3e-3)
    )

    cpu0, wall0 = time.process_time(), time.perf_counter()
    history = []
    for epoch in range(1, args.max_epochs + 1):
        logs = model.fit(
            (x_train, d_train),
            y_train,
            sample_weight=(y_train != PAD).astype("float32"),
            batch_size=64,
            epochs=1,
            verbose=0,
        ).history
        accuracy = exact_accuracy(model, x_test, y_test)
        history.append(
            {"epoch": epoch, "loss": round(logs["loss"][0], 5), "greedy_accuracy": accuracy}
        )
        print(json.dumps(history[-1]), file=sys.stderr, flush=True)
        if accuracy >= args.target:
            break
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    beam = exact_accuracy(model, x_test, y_test, beam_width=3)
    print(
        json.dumps(
            {
                "task": "reverse random digit sequences, length 5-10 (held-out sequences disjoint from training)",
                "model": f"seq2seq lstm units={args.units} attention={attention}",
                "train_sequences": args.train,
                "test_sequences": args.test,
                "epochs": len(history),
                "exact_sequence_accuracy_greedy": history[-1]["greedy_accuracy"],
                "exact_sequence_accuracy_beam3": beam,
                "reached_target": history[-1]["greedy_accuracy"] >= args.target,
                "train_cpu_time_s": round(cpu, 1),
                "train_wall_time_s": round(wall, 1),
                "history": history,
                "machine": describe(load_before, note="CPU time includes evaluation decoding"),
            },
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
