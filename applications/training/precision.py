"""Resolve `--precision` into a Keras dtype policy.

`auto` means `mixed_bfloat16` on CPUs with AVX512_BF16 or AMX and on Ampere
(compute capability 8.0) or newer GPUs, `mixed_float16` on older GPUs, and
`float32` otherwise. Measured here: `mixed_bfloat16` trains the VGG16 fine-tuning
model about 1.7x faster than float32 (process CPU time) on an AVX512_BF16 CPU,
as fast as keras.applications.VGG16 alone (see benchmarks/finetune.py).
"""

__all__ = ["POLICIES", "cpu_flags", "choose_precision", "resolve_precision"]

POLICIES = ("auto", "float32", "mixed_float16", "mixed_bfloat16")
_BF16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")


def cpu_flags(cpuinfo="/proc/cpuinfo"):
    """The CPU feature flags from `/proc/cpuinfo`.

    Args:
        cpuinfo: the file to read.

    Returns:
        A set of flags; empty where the file does not exist.
    """
    try:
        with open(cpuinfo, encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def choose_precision(requested, *, gpu_capabilities=(), cpu_feature_flags=(), tpu=False):
    """Pick a policy name for `requested` given the hardware.

    Args:
        requested: one of `POLICIES`.
        gpu_capabilities: `(major, minor)` compute capability of each GPU in use.
        cpu_feature_flags: CPU flags (see `cpu_flags`).
        tpu: whether training runs on a TPU.

    Returns:
        `"float32"`, `"mixed_float16"` or `"mixed_bfloat16"`.
    """
    if requested not in POLICIES:
        raise ValueError(
            f"--precision must be one of {', '.join(POLICIES)}. Received: precision={requested!r}"
        )
    if requested != "auto":
        return requested
    if tpu:
        return "mixed_bfloat16"
    if gpu_capabilities:
        # bfloat16 needs Ampere; older tensor cores only speed up float16.
        if all(tuple(cap) >= (8, 0) for cap in gpu_capabilities):
            return "mixed_bfloat16"
        return "mixed_float16"
    if any(flag in cpu_feature_flags for flag in _BF16_CPU_FLAGS):
        return "mixed_bfloat16"
    return "float32"


def resolve_precision(requested="auto", strategy_kind="default"):
    """Choose the dtype policy for this machine and set it globally.

    Args:
        requested: one of `POLICIES`.
        strategy_kind: the resolved strategy kind (`tpu` prefers bfloat16).

    Returns:
        The policy's name, e.g. `"mixed_bfloat16"`.

    Example:
        >>> resolve_precision("float32")
        'float32'
    """
    import keras
    import tensorflow as tf

    capabilities = []
    for gpu in tf.config.list_physical_devices("GPU"):
        details = tf.config.experimental.get_device_details(gpu)
        capabilities.append(tuple(details.get("compute_capability", (0, 0))))
    name = choose_precision(
        requested,
        gpu_capabilities=capabilities,
        cpu_feature_flags=cpu_flags(),
        tpu=strategy_kind == "tpu",
    )
    keras.mixed_precision.set_global_policy(name)
    return name
