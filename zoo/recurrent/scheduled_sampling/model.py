"""An output-to-hidden RNN trained with teacher forcing or scheduled sampling.

At step t the hidden layer receives y(t-1), the previous output, besides its
own previous state. Training with teacher forcing always feeds the ground
truth y(t-1); at generation time the model must feed its own predictions, a
distribution it never saw in training ("exposure bias"). Scheduled sampling
feeds, independently per example and per step, the ground truth with
probability eps_i and the model's own prediction otherwise, with eps_i
decaying over training batches i (`zoo.recurrent.schedules`). The step-by-step
rollout and generation are functions of `zoo.recurrent.scheduled_sampling.rollout`;
the registered builder is `zoo.recurrent.scheduled_sampling.builder`.

Reference: S. Bengio, O. Vinyals, N. Jaitly, N. Shazeer, "Scheduled Sampling
for Sequence Prediction with Recurrent Neural Networks", NeurIPS 2015;
Goodfellow et al., Deep Learning, sec. 10.2.1 (teacher forcing).
"""

import keras
from keras import ops

from zoo.recurrent import schedules as schedules_lib
from zoo.recurrent.cells import CELLS
from zoo.recurrent.checks import check_sequence
from zoo.recurrent.scheduled_sampling import rollout as rollout_lib
from zoo.validation import check_choice, check_positive_int, argument_error

__all__ = ["ScheduledSamplingRNN", "SAMPLING"]

SAMPLING = ("sample", "argmax")


@keras.saving.register_keras_serializable(package="zoo")
class ScheduledSamplingRNN(keras.Model):
    """Output-to-hidden recurrent model for frames (regression) or tokens (softmax).

    Inputs are the target sequence itself, optionally with a conditioning
    vector: `x = sequence` or `x = {"sequence": ..., "context": ...}`; the
    output at step t predicts `sequence[:, t]` from the outputs before it
    (step 0 sees a zero frame or `start_token`), so train with
    `model.fit(x, sequence)`. Frames: `sequence` is `(batch, T, frame_dim)`
    floats, output the same shape (use `"mse"`). Tokens: `sequence` is
    `(batch, T)` integers in `[0, vocab_size)`, output `(batch, T, vocab_size)`
    probabilities (use `"sparse_categorical_crossentropy"`).

    `model(x, training=True)` (what `fit` runs) samples the fed inputs with
    eps = `schedule(step)`, `step` counting training batches (the
    `sampling_step` variable); `fit` logs eps as `epsilon`. `training=False`
    (evaluate, predict) is teacher forcing, computed in parallel by a
    `keras.layers.RNN`. As in Bengio et al., no gradient flows through a fed
    prediction.

    Args:
        frame_dim: features per frame (frames mode); give this or `vocab_size`.
        vocab_size: vocabulary size (tokens mode).
        context_dim: size of an optional conditioning vector fed at every step.
        cell: `"simple"`, `"lstm"` or `"gru"` (the hidden-to-hidden part).
        units: hidden units.
        embedding_dim: token embedding size (tokens mode).
        schedule: a `zoo.recurrent.schedules` schedule (or a number: `Constant`).
        sampling: tokens mode, how a prediction is fed back: `"sample"` from
            the softmax (as in the paper) or `"argmax"`.
        start_token: the token fed at step 0 (tokens mode).
        teacher_steps: the ground truth of the first `teacher_steps` steps is
            always fed in training, as a prime is at generation time (a model
            that must continue a signal first needs to see some of it).
        seed: seed of the training-time random draws.
        name: model name.

    Example:
        >>> model = zoo.create_model("scheduled_sampling_rnn", frame_dim=2, units=4,
        ...                          schedule=zoo.recurrent.schedules.InverseSigmoid(k=50.0))
        >>> x = np.zeros((8, 30, 2), "float32")
        >>> model.compile("adam", "mse")
        >>> history = model.fit(x, x, epochs=2, verbose=0)  # logs `epsilon`
        >>> model.generate(100, prime=x[:, :20]).shape
        (8, 100, 2)
    """

    def __init__(
        self,
        frame_dim=None,
        vocab_size=None,
        context_dim=None,
        cell="lstm",
        units=128,
        embedding_dim=32,
        schedule=None,
        sampling="sample",
        start_token=0,
        teacher_steps=0,
        seed=None,
        name="scheduled_sampling_rnn",
        **kwargs,
    ):
        super().__init__(name=name, **kwargs)
        if (frame_dim is None) == (vocab_size is None):
            raise argument_error(
                "frame_dim",
                frame_dim,
                f"Give exactly one of `frame_dim` (frames) and `vocab_size` (tokens); "
                f"vocab_size={vocab_size!r}.",
            )
        if frame_dim is not None:
            check_positive_int("frame_dim", frame_dim)
        if vocab_size is not None:
            check_positive_int("vocab_size", vocab_size, minimum=2)
            if (
                isinstance(start_token, bool)
                or not isinstance(start_token, int)
                or not 0 <= start_token < vocab_size
            ):
                raise argument_error(
                    "start_token",
                    start_token,
                    f"`start_token` must be an integer in [0, {vocab_size}).",
                )
        if context_dim is not None:
            check_positive_int("context_dim", context_dim)
        check_choice("cell", cell, tuple(CELLS))
        check_positive_int("units", units)
        check_positive_int("embedding_dim", embedding_dim)
        check_choice("sampling", sampling, SAMPLING)
        check_positive_int("teacher_steps", teacher_steps, minimum=0)
        if isinstance(schedule, dict):
            schedule = keras.saving.deserialize_keras_object(schedule)
        self.frame_dim = frame_dim
        self.vocab_size = vocab_size
        self.context_dim = context_dim
        self.cell = cell
        self.units = units
        self.embedding_dim = embedding_dim
        self.schedule = schedules_lib.get(
            schedule if schedule is not None else schedules_lib.InverseSigmoid()
        )
        self.sampling = sampling
        self.start_token = start_token
        self.teacher_steps = teacher_steps
        self.seed = seed

        self.tokens = vocab_size is not None
        feed_dim = embedding_dim if self.tokens else frame_dim
        self.out_dim = vocab_size if self.tokens else frame_dim
        if self.tokens:
            self.embedding = keras.layers.Embedding(vocab_size, embedding_dim, name="embedding")
            self.embedding.build((None,))
        # The teacher-forced path runs this layer over the whole sequence at
        # once; the sampling loop calls its cell step by step, so both share weights.
        self.recurrent = keras.layers.RNN(
            CELLS[cell].step(units, name=f"{cell}_cell"), return_sequences=True, name="recurrent"
        )
        self.recurrent.build((None, None, feed_dim + (context_dim or 0)))
        self.readout = keras.layers.Dense(self.out_dim, name="readout")
        self.readout.build((None, units))
        self.seed_generator = keras.random.SeedGenerator(seed, name="seed_generator")
        self.sampling_step = self.add_weight(
            shape=(), dtype="int64", initializer="zeros", trainable=False, name="sampling_step"
        )
        self.built = True

    def build(self, input_shape=None):
        # Every weight is created in __init__ (shapes follow from the arguments).
        self.built = True

    # -- inputs -------------------------------------------------------------

    def _unpack(self, inputs):
        if isinstance(inputs, dict):
            if "sequence" not in inputs or set(inputs) - {"sequence", "context"}:
                raise argument_error(
                    "inputs",
                    sorted(inputs),
                    "Input dicts have keys 'sequence' and optionally 'context'.",
                )
            sequence, context = inputs["sequence"], inputs.get("context")
        elif isinstance(inputs, (list, tuple)):
            if len(inputs) != 2:
                raise argument_error(
                    "inputs", f"{len(inputs)} tensors", "Pass (sequence, context) or sequence."
                )
            sequence, context = inputs
        else:
            sequence, context = inputs, None
        sequence = self._check_sequence("sequence", sequence)
        return sequence, self._check_context(context, ops.shape(sequence)[0])

    def _check_sequence(self, arg, sequence):
        return check_sequence(arg, sequence, self.vocab_size, self.frame_dim, self.compute_dtype)

    def _check_context(self, context, batch):
        if self.context_dim is None:
            if context is not None:
                raise argument_error(
                    "context",
                    f"shape {tuple(context.shape)}",
                    "This model has no conditioning input (context_dim=None).",
                )
            return None
        if context is None:
            raise argument_error(
                "context", None, f"This model needs a context of shape (batch, {self.context_dim})."
            )
        context = ops.cast(ops.convert_to_tensor(context), self.compute_dtype)
        if len(context.shape) != 2 or context.shape[-1] != self.context_dim:
            raise argument_error(
                "context",
                f"shape {tuple(context.shape)}",
                f"`context` must have shape (batch, {self.context_dim}).",
            )
        return context

    def _previous(self, sequence):
        """The ground-truth y(t-1) for every t: the sequence shifted right by one."""
        if self.tokens:
            start = ops.full((ops.shape(sequence)[0], 1), self.start_token, dtype=sequence.dtype)
            return ops.concatenate([start, sequence[:, :-1]], axis=1)
        return ops.concatenate([ops.zeros_like(sequence[:, :1]), sequence[:, :-1]], axis=1)

    def _hidden_input(self, fed, context):
        x = self.embedding(fed) if self.tokens else fed
        if context is not None:
            if len(x.shape) == 3:
                context = ops.repeat(ops.expand_dims(context, 1), ops.shape(x)[1], axis=1)
            x = ops.concatenate([x, context], axis=-1)
        return x

    # -- the two paths: all steps at once (teacher forcing), or step by step --

    def teacher_forced(self, sequence, context=None):
        """Outputs (logits for tokens) with the ground truth fed at every step."""
        previous = self._previous(sequence)
        return self.readout(self.recurrent(self._hidden_input(previous, context)))

    def rollout(self, sequence, context=None, epsilon=1.0, seed=None, ground_truth_steps=None):
        """Run step by step, feeding y(t-1) with probability `epsilon`, else the own prediction.

        See `zoo.recurrent.scheduled_sampling.rollout.rollout` for the arguments.

        Returns:
            `(outputs, fed, own)`: outputs (logits for tokens), the fed y(t-1)
            and the model's own predictions, each `(batch, T, ...)`.

        Example:
            >>> model = zoo.create_model("scheduled_sampling_rnn", frame_dim=2, units=4)
            >>> outputs, fed, own = model.rollout(np.zeros((8, 30, 2), "float32"), epsilon=0.5, seed=0)
            >>> outputs.shape
            TensorShape([8, 30, 2])
        """
        return rollout_lib.rollout(self, sequence, context, epsilon, seed, ground_truth_steps)

    def generate(self, steps, context=None, prime=None, seed=None):
        """Free-running generation (eps = 0): every step feeds the previous prediction.

        See `zoo.recurrent.scheduled_sampling.rollout.generate` for the arguments.

        Returns:
            NumPy `(batch, steps)` int tokens or `(batch, steps, frame_dim)` frames.

        Example:
            >>> model = zoo.create_model("scheduled_sampling_rnn", frame_dim=2, units=4)
            >>> x = np.zeros((8, 30, 2), "float32")
            >>> model.generate(50, prime=x[:, :10], seed=0).shape
            (8, 50, 2)
        """
        return rollout_lib.generate(self, steps, context, prime, seed)

    def call(self, inputs, training=False):
        sequence, context = self._unpack(inputs)
        if training:
            outputs, _, _ = self.rollout(sequence, context, self.schedule(self.sampling_step))
        else:
            outputs = self.teacher_forced(sequence, context)
        return ops.softmax(outputs, axis=-1) if self.tokens else outputs

    def train_step(self, data):
        # eps of this batch: the schedule at the number of batches trained so far.
        epsilon = self.schedule(self.sampling_step)
        logs = dict(super().train_step(data))
        self.sampling_step.assign_add(1)
        logs["epsilon"] = epsilon
        return logs

    def get_config(self):
        return {
            "frame_dim": self.frame_dim,
            "vocab_size": self.vocab_size,
            "context_dim": self.context_dim,
            "cell": self.cell,
            "units": self.units,
            "embedding_dim": self.embedding_dim,
            "schedule": keras.saving.serialize_keras_object(self.schedule),
            "sampling": self.sampling,
            "start_token": self.start_token,
            "teacher_steps": self.teacher_steps,
            "seed": self.seed,
            "name": self.name,
        }
