"""The machine a benchmark ran on, for the `machine` field of its JSON.

Figures from a shared 2-core machine swing with the load of other jobs, so
every benchmark records the load average before and after its timings next to
the processor, the accelerators and the library versions.
"""

import os
import platform


def cpu_name():
    """The processor's model name from /proc/cpuinfo (`platform.processor()` elsewhere)."""
    try:
        with open("/proc/cpuinfo") as f:
            return next(
                line.split(":", 1)[1].strip() for line in f if line.startswith("model name")
            )
    except (OSError, StopIteration):
        return platform.processor() or "unknown"


def describe(load_before, **extra):
    """A JSON-ready description of this machine; call it after the timings.

    Args:
        load_before: `os.getloadavg()` taken before the timings started.
        **extra: more fields, e.g. the version of a baseline library.
    """
    import keras
    import tensorflow as tf

    return {
        "cpu": cpu_name(),
        "logical_cpus": len(os.sched_getaffinity(0)),
        "gpus": len(tf.config.list_physical_devices("GPU")),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "load_average_before": [round(v, 2) for v in load_before],
        "load_average_after": [round(v, 2) for v in os.getloadavg()],
        **extra,
    }
