"""`audiozoo demo`: train a catalog model on built-in synthetic digits and report accuracy.

A small, real job that needs no download: it shows the zoo's builders train
with plain Keras `fit`/`evaluate`.
"""

import time


def register(subparsers):
    """Add `demo` to the `audiozoo` parser.

    Args:
        subparsers: what `argparse.ArgumentParser.add_subparsers` returned.
    """
    p = subparsers.add_parser(
        "demo", help="train a small catalog model on built-in synthetic digits (no download)"
    )
    p.add_argument(
        "--model",
        default="lwls_cnn",
        choices=("lwls_cnn", "mlp_mnist", "logistic_regression"),
        help="which catalog model to train (default: lwls_cnn)",
    )
    p.add_argument("--epochs", type=int, default=5, metavar="N", help="passes over the digits")
    p.add_argument("--train-size", type=int, default=6000, metavar="N", help="training digits")
    p.add_argument("--seed", type=int, default=0, metavar="N", help="makes the run repeatable")
    p.set_defaults(func=run_demo)


def run_demo(args):
    """`audiozoo demo`: train `args.model` on synthetic digits and print its test accuracy.

    Args:
        args: the parsed `model`, `epochs`, `train_size` and `seed`.

    Returns:
        0.

    Example:
        audiozoo demo --model mlp_mnist --epochs 2
    """
    import keras

    import zoo
    from applications.data.digits import make_digits

    if args.epochs < 1 or args.train_size < 10:
        raise ValueError(
            f"--epochs must be >= 1 and --train-size >= 10. Received: epochs={args.epochs}, "
            f"train_size={args.train_size}"
        )
    keras.utils.set_random_seed(args.seed)
    start = time.perf_counter()
    x_train, y_train = make_digits(args.train_size, seed=args.seed)
    x_test, y_test = make_digits(max(args.train_size // 5, 10), seed=args.seed + 1)
    print(
        f"Generated {len(x_train)} training and {len(x_test)} test digits in {time.perf_counter() - start:.1f}s."
    )

    # The MLPs flatten image inputs, so every choice takes the 28x28x1 digits.
    model = zoo.create_model(args.model, input_shape=(28, 28, 1))
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(x_train, y_train, epochs=args.epochs, batch_size=64, validation_split=0.1, verbose=2)
    result = model.evaluate(x_test, y_test, verbose=0, return_dict=True)
    print(
        f"{args.model}: test accuracy {result['accuracy']:.3f} on {len(x_test)} held-out digits "
        f"(chance 0.100); total {time.perf_counter() - start:.0f}s"
    )
    return 0
