"""Resolve `--strategy` into a `tf.distribute.Strategy` for the fine-tuning jobs.

`auto` picks, in order: a TPU if one is configured, multi-worker if
`TF_CONFIG` names several workers, mirrored if there are several GPUs, one
GPU, else TensorFlow's default (CPU) strategy. `choose_kind` holds that rule
as a pure function so it is testable without the hardware.

Keras 3 `fit` fails under `MultiWorkerMirroredStrategy` (keras issue 20585),
so `StrategyInfo.uses_custom_loop` tells the caller to train with
`applications.training.custom_loop` there.
"""

import dataclasses
import os

from applications.errors import UsageError
from applications.training.cluster import read_tf_config as _tf_config
from applications.training.cluster import wait_for_peers
from applications.training.liveness import configure_failure_detection

__all__ = [
    "KINDS",
    "StrategyInfo",
    "choose_kind",
    "cluster_workers",
    "is_chief",
    "configure_logical_cpus",
    "expected_replicas",
    "check_global_batch",
    "resolve_strategy",
]

KINDS = ("auto", "default", "one_device", "mirrored", "multi_worker", "tpu")


@dataclasses.dataclass
class StrategyInfo:
    """A resolved strategy and what the training code needs to know about it.

    Attributes:
        kind: one of `KINDS` except `auto`.
        strategy: the `tf.distribute.Strategy`.
        num_replicas: replicas in sync (the global batch is split over them).
        is_chief: whether this process writes the outputs.
        devices: the devices the strategy runs on, as strings.
    """

    kind: str
    strategy: object
    num_replicas: int
    is_chief: bool
    devices: tuple

    @property
    def uses_custom_loop(self):
        """Whether to train with `custom_loop.train` (multi-worker) instead of `fit`."""
        return self.kind == "multi_worker"


def cluster_workers(env=None):
    """Number of worker and chief tasks that `TF_CONFIG` names.

    Args:
        env: the environment to read; None: `os.environ`.

    Returns:
        The count; 0 without `TF_CONFIG`.

    Raises:
        UsageError: `TF_CONFIG` is not valid JSON or not of the documented shape.
    """
    cluster = _tf_config(env).get("cluster", {})
    return len(cluster.get("worker", [])) + len(cluster.get("chief", []))


def is_chief(env=None):
    """Whether this process is the chief: task `chief`, or worker 0 when no chief is named.

    Args:
        env: the environment to read; None: `os.environ`.

    Returns:
        True without `TF_CONFIG` (a single process is its own chief).
    """
    config = _tf_config(env)
    task = config.get("task", {})
    if not task:
        return True
    if task.get("type") == "chief":
        return True
    has_chief = bool(config.get("cluster", {}).get("chief"))
    return task.get("type") == "worker" and int(task.get("index", 0)) == 0 and not has_chief


def choose_kind(requested, *, num_workers=0, num_gpus=0, tpu_configured=False, logical_cpus=None):
    """Pick the strategy kind for `requested` (the `--strategy` value).

    Args:
        requested: one of `KINDS`.
        num_workers: workers named by `TF_CONFIG`.
        num_gpus: visible GPUs.
        tpu_configured: whether a TPU address is configured.
        logical_cpus: `--logical-cpus`; more than one asks for mirrored on CPU.

    Returns:
        A kind other than `auto`.
    """
    if requested not in KINDS:
        raise ValueError(
            f"--strategy must be one of {', '.join(KINDS)}. Received: strategy={requested!r}"
        )
    if requested != "auto":
        return requested
    if tpu_configured:
        return "tpu"
    if num_workers > 1:
        return "multi_worker"
    if num_gpus > 1 or (logical_cpus or 0) > 1:
        return "mirrored"
    if num_gpus == 1:
        return "one_device"
    return "default"


def expected_replicas(kind, *, num_gpus=0, logical_cpus=None):
    """Replicas that `kind` will have on this machine, known before building it.

    Args:
        kind: a kind from `choose_kind` (not `auto`).
        num_gpus: visible GPUs.
        logical_cpus: `--logical-cpus`.

    Returns:
        The count, or None where only the running cluster knows it (multi-worker, TPU).
    """
    if kind == "mirrored":
        return num_gpus or logical_cpus or 1
    if kind in ("default", "one_device"):
        return 1
    return None


def check_global_batch(batch_size, replicas, kind):
    """Raise a `UsageError` unless the global batch splits evenly over the replicas.

    Args:
        batch_size: `--batch-size`, the global batch.
        replicas: replicas in sync (None: unknown, no check).
        kind: the strategy kind, for the message.
    """
    if replicas and batch_size % replicas:
        lower = batch_size - batch_size % replicas
        options = f"{lower} or {lower + replicas}" if lower else f"{replicas}"
        raise UsageError(
            f"--batch-size {batch_size} does not split evenly over the {replicas} replicas of "
            f"--strategy {kind}. Received: batch_size={batch_size}, replicas={replicas}",
            hint=f"pass a multiple of {replicas}, e.g. --batch-size {options}",
        )


def configure_logical_cpus(count):
    """Split the physical CPU into `count` logical devices (before TensorFlow starts).

    Args:
        count: the number of logical CPUs.

    Raises:
        RuntimeError: the TensorFlow runtime has already started.
    """
    import tensorflow as tf

    cpus = tf.config.list_physical_devices("CPU")
    current = tf.config.get_logical_device_configuration(cpus[0])
    if current is not None and len(current) == count:
        return
    try:
        tf.config.set_logical_device_configuration(
            cpus[0], [tf.config.LogicalDeviceConfiguration() for _ in range(count)]
        )
    except RuntimeError as error:
        raise RuntimeError(
            f"Cannot split the CPU into {count} logical devices: TensorFlow has already "
            f"started ({error}). Pass --logical-cpus before any other TensorFlow work."
        ) from None


def _tpu_configured():
    return bool(os.environ.get("TPU_NAME") or os.environ.get("COLAB_TPU_ADDR"))


def _build(kind, cluster_timeout=300.0, log=print):
    import tensorflow as tf

    if kind == "tpu":
        try:
            resolver = tf.distribute.cluster_resolver.TPUClusterResolver(
                tpu=os.environ.get("TPU_NAME", "")
            )
            tf.config.experimental_connect_to_cluster(resolver)
            tf.tpu.experimental.initialize_tpu_system(resolver)
        except (ValueError, tf.errors.OpError) as error:
            raise RuntimeError(
                f"--strategy tpu: no TPU could be reached ({error}). Set TPU_NAME, or use "
                "--strategy auto."
            ) from None
        return tf.distribute.TPUStrategy(resolver)
    if kind == "multi_worker":
        if cluster_workers() < 1:
            raise ValueError(
                "--strategy multi_worker needs TF_CONFIG naming the cluster, e.g. "
                '{"cluster": {"worker": ["10.0.0.1:12345", "10.0.0.2:12345"]}, '
                '"task": {"type": "worker", "index": 0}}. Received: TF_CONFIG unset'
            )
        # Its constructor blocks, deaf to signals, until every peer joins: wait here first.
        wait_for_peers(cluster_timeout, log=log)
        # A peer that dies later aborts the collectives within the timeout (`training.liveness`).
        configure_failure_detection(cluster_timeout)
        # Created before anything lists logical devices: that starts the runtime,
        # after which the collectives can no longer be configured.
        return tf.distribute.MultiWorkerMirroredStrategy()
    gpus = tf.config.list_logical_devices("GPU")
    if kind == "mirrored":
        devices = [d.name for d in gpus] or [d.name for d in tf.config.list_logical_devices("CPU")]
        return tf.distribute.MirroredStrategy(devices=devices)
    if kind == "one_device":
        return tf.distribute.OneDeviceStrategy(gpus[0].name if gpus else "/cpu:0")
    return tf.distribute.get_strategy()


def resolve_strategy(requested="auto", logical_cpus=None, cluster_timeout=300.0, log=print):
    """Build the strategy that `--strategy requested` asks for.

    Args:
        requested: one of `KINDS`.
        logical_cpus: split the CPU into this many devices for `mirrored`.
        cluster_timeout: multi-worker: seconds to wait for the peers of
            `TF_CONFIG` (`applications.training.peers.wait_for_peers`).
        log: prints the progress lines of that wait.

    Returns:
        A `StrategyInfo`.

    Example:
        >>> info = resolve_strategy("auto")
        >>> info.kind, info.num_replicas
        ('default', 1)
    """
    import tensorflow as tf

    if logical_cpus is not None and logical_cpus < 1:
        raise ValueError(f"--logical-cpus must be >= 1. Received: logical_cpus={logical_cpus}")
    if logical_cpus and logical_cpus > 1:
        configure_logical_cpus(logical_cpus)
    # Physical devices only: listing logical ones would start the runtime (see _build).
    kind = choose_kind(
        requested,
        num_workers=cluster_workers(),
        num_gpus=len(tf.config.list_physical_devices("GPU")),
        tpu_configured=_tpu_configured(),
        logical_cpus=logical_cpus,
    )
    strategy = _build(kind, cluster_timeout, log)
    if kind == "default":
        gpus = tf.config.list_logical_devices("GPU")
        devices = (gpus[0].name,) if gpus else ("/cpu:0",)
    else:
        devices = tuple(strategy.extended.worker_devices)
    chief = is_chief() if kind == "multi_worker" else True
    return StrategyInfo(kind, strategy, int(strategy.num_replicas_in_sync), chief, devices)


def preflight(requested, logical_cpus, batch_size, cluster_timeout=300.0):
    """Before any data loads: check `TF_CONFIG` and that the global batch splits over the replicas.

    Multi-worker also waits (bounded) for every peer `TF_CONFIG` names.

    Returns:
        The strategy kind `requested` resolves to.
    """
    import tensorflow as tf

    gpus = len(tf.config.list_physical_devices("GPU"))
    kind = choose_kind(
        requested,
        num_workers=cluster_workers(),
        tpu_configured=_tpu_configured(),
        num_gpus=gpus,
        logical_cpus=logical_cpus,
    )
    replicas = expected_replicas(kind, num_gpus=gpus, logical_cpus=logical_cpus)
    check_global_batch(batch_size, replicas, kind)
    if kind == "multi_worker":
        wait_for_peers(cluster_timeout)
    return kind
