"""Exposure bias: teacher forcing vs scheduled sampling on continuing noisy periodic signals.

Task: each sequence is sin(2 pi t / P + phi) with a random period P in
[8, 16] steps and phase phi, observed with Gaussian noise (sigma 0.2). Both
runs train the same `scheduled_sampling_rnn` (same initial weights, data,
batches and optimizer) on 60-step noisy sequences; they differ only in the
schedule: `Constant(1.0)` (teacher forcing) or `InverseSigmoid(k)` with k set
so eps falls to 1/2 halfway through the budget (Bengio et al. 2015); a
third run uses Linear(k=1, c=1/batches, epsilon=0.5) (eps floored at 1/2).
In training, the first `--teacher-steps` (default 20, the prime length)
inputs are always ground truth, matching how the models are evaluated. Each
model is then primed with the first 20 noisy steps of held-out sequences and
generates 40 steps free-running; the error is the mean squared difference
from the clean continuation. The teacher-forced one-step error is reported
too. Prints JSON.

    python benchmarks/exposure_bias.py --seeds 0 1 2
"""

import argparse
import json
import math
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import zoo  # noqa: E402
from zoo.recurrent.rnn import recommended_compile_kwargs  # noqa: E402
from zoo.recurrent.schedules import Constant, InverseSigmoid, Linear  # noqa: E402
from machine_info import describe  # noqa: E402

PRIME, CONTINUE, NOISE = 20, 40, 0.2


def make_signals(n, steps, rng):
    """Noisy observations and the clean signal, `(n, steps, 1)` each."""
    t = np.arange(steps)[None, :]
    period = rng.uniform(8, 16, (n, 1))
    phase = rng.uniform(0, 2 * np.pi, (n, 1))
    clean = np.sin(2 * np.pi * t / period + phase)[..., None].astype("float32")
    noisy = clean + NOISE * rng.standard_normal(clean.shape).astype("float32")
    return noisy, clean


def inverse_sigmoid_k(midpoint):
    """k with k ln k = midpoint: InverseSigmoid(k) gives eps = 1/2 at step `midpoint`."""
    k = max(midpoint / math.log(midpoint), 1.0)
    for _ in range(50):  # Newton on f(k) = k ln k - midpoint
        k -= (k * math.log(k) - midpoint) / (math.log(k) + 1)
    return k


def run(schedule, seed, args, train, test_noisy, test_clean):
    keras.utils.set_random_seed(seed)  # same initial weights and batch order for both schedules
    model = zoo.create_model(
        "scheduled_sampling_rnn",
        frame_dim=1,
        cell="lstm",
        units=args.units,
        schedule=schedule,
        teacher_steps=args.teacher_steps,
        seed=seed,
    )
    model.compile(**recommended_compile_kwargs(loss="mse", learning_rate=3e-3))
    cpu0 = time.process_time()
    history = model.fit(
        train, train, batch_size=args.batch_size, epochs=args.epochs, verbose=0
    ).history
    cpu = time.process_time() - cpu0
    continuation = model.generate(CONTINUE, prime=test_noisy[:, :PRIME])
    free_error = float(np.mean((continuation - test_clean[:, PRIME : PRIME + CONTINUE]) ** 2))
    one_step = float(model.evaluate(test_noisy, test_noisy, verbose=0))
    return {
        "free_running_error": free_error,
        "teacher_forced_one_step_mse": one_step,
        "final_epsilon": float(history["epsilon"][-1]),
        "train_cpu_time_s": round(cpu, 1),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=2000)
    parser.add_argument("--test", type=int, default=500)
    parser.add_argument("--units", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument(
        "--teacher-steps",
        type=int,
        default=PRIME,
        help="leading steps always fed the ground truth in training (0: none)",
    )
    args = parser.parse_args(argv)
    load_before = os.getloadavg()

    batches = args.epochs * math.ceil(args.train / args.batch_size)
    k = inverse_sigmoid_k(batches / 2)
    # "scheduled_sampling" is the schedule fixed before any run (eps -> ~0 by
    # the end); the floored linear schedule is reported beside it because a
    # model that never sees ground truth cannot infer period and phase.
    schedules = {
        "teacher_forcing": Constant(1.0),
        "scheduled_sampling": InverseSigmoid(k=round(k, 2)),
        "scheduled_sampling_linear_floor": Linear(k=1.0, c=round(1.0 / batches, 8), epsilon=0.5),
    }
    runs = {name: [] for name in schedules}
    for seed in args.seeds:
        rng = np.random.default_rng(seed)
        train, _ = make_signals(args.train, PRIME + CONTINUE, rng)
        test_noisy, test_clean = make_signals(args.test, PRIME + CONTINUE, rng)
        for name, schedule in schedules.items():
            runs[name].append(run(schedule, seed, args, train, test_noisy, test_clean))
            print(json.dumps({"seed": seed, name: runs[name][-1]}), file=sys.stderr, flush=True)

    def summary(name):
        errors = [r["free_running_error"] for r in runs[name]]
        return {
            "free_running_error": float(np.mean(errors)),
            "free_running_error_per_seed": errors,
            "teacher_forced_one_step_mse": float(
                np.mean([r["teacher_forced_one_step_mse"] for r in runs[name]])
            ),
            "schedule": repr(schedules[name]),
            "final_epsilon": runs[name][-1]["final_epsilon"],
            "train_cpu_time_s_per_run": float(np.mean([r["train_cpu_time_s"] for r in runs[name]])),
        }

    tf_summary, ss_summary = summary("teacher_forcing"), summary("scheduled_sampling")
    floor_summary = summary("scheduled_sampling_linear_floor")
    print(
        json.dumps(
            {
                "task": (
                    f"continue noisy sinusoids (period 8-16 steps, noise sigma {NOISE}): prime {PRIME} noisy steps, "
                    f"generate {CONTINUE} free-running; error = MSE to the clean continuation, "
                    f"{args.test} held-out sequences per seed"
                ),
                "model": f"scheduled_sampling_rnn frame_dim=1 lstm units={args.units} teacher_steps={args.teacher_steps}",
                "budget": {
                    "train_sequences": args.train,
                    "epochs": args.epochs,
                    "batch_size": args.batch_size,
                    "batches": batches,
                    "optimizer": "Adam 3e-3, global_clipnorm 1.0",
                },
                "seeds": args.seeds,
                "teacher_forcing": tf_summary,
                "scheduled_sampling": ss_summary,
                "scheduled_sampling_linear_floor": floor_summary,
                "ratio_scheduled_over_teacher": ss_summary["free_running_error"]
                / tf_summary["free_running_error"],
                "ratio_linear_floor_over_teacher": floor_summary["free_running_error"]
                / tf_summary["free_running_error"],
                "machine": describe(load_before),
            },
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
