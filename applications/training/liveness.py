"""A multi-worker cluster that fails cleanly when a peer dies: detection, then one line.

After start-up (`applications.training.cluster.wait_for_peers`), a worker
killed mid-training would leave the others blocked in a collective. Two
pieces bound that wait by `--cluster-timeout`:

- **Detection** (`configure_failure_detection`): TensorFlow's coordination
  service, which `MultiWorkerMirroredStrategy` starts, takes heartbeats from
  every task and aborts the collectives of the survivors with
  `UnavailableError` when a task falls silent (or its address refuses
  connections). It is configured here, before the strategy exists, with a
  heartbeat timeout of at most a third of `--cluster-timeout` (and TensorFlow's
  10 s default at most), so detection plus exit fits in the timeout.
  `tf.distribute.experimental.CommunicationOptions(timeout_seconds=...)` is
  not used: TensorFlow documents it as a debugging aid that starts one thread
  per collective, sleeping for the whole timeout (thousands of threads at a
  few steps a second), and a slow but live peer (building its cache) would trip it.
- **Reporting** (`peer_lost`): the custom loop turns that error into a
  `JobFailed` whose one line names the missing worker(s) of `TF_CONFIG` (those
  whose address no longer accepts a connection, else the tasks the error
  names) and how to resume: rerun every worker; all restore the last backup.

Example:
    >>> configure_failure_detection(60.0)  # before tf.distribute.MultiWorkerMirroredStrategy()
"""

import re

from applications.errors import JobFailed
from applications.training.cluster import _reachable, cluster_addresses, read_tf_config

__all__ = ["heartbeat_seconds", "configure_failure_detection", "peer_lost", "PEER_ERRORS"]

DEFAULT_HEARTBEAT_S = 10.0  # TensorFlow's own default
# The errors an aborted collective raises (TensorFlow's names, looked up lazily).
PEER_ERRORS = ("UnavailableError", "DeadlineExceededError", "AbortedError", "CancelledError")


def heartbeat_seconds(cluster_timeout):
    """The coordination heartbeat timeout for `--cluster-timeout`: its third, 1 to 10 s."""
    return min(DEFAULT_HEARTBEAT_S, max(1.0, cluster_timeout / 3.0))


def configure_failure_detection(cluster_timeout, env=None):
    """Configure the coordination service's heartbeats before the multi-worker strategy starts.

    `MultiWorkerMirroredStrategy` keeps a service configured earlier (it only
    configures one when none is), so its collectives abort within about
    `heartbeat_seconds(cluster_timeout)` of a peer's death.

    Args:
        cluster_timeout: `--cluster-timeout`, seconds.
        env: the environment holding `TF_CONFIG`; None: `os.environ`.
    """
    from tensorflow.python.eager import context

    coordination_config_pb2 = _coordination_protos()

    cluster = read_tf_config(env).get("cluster", {})
    jobs = [j for j in ("chief", "worker") if cluster.get(j)]
    if not jobs or context.context().coordination_service is not None:
        return
    # The leader MultiWorkerMirroredStrategy would pick: the chief, else worker 0.
    context.context().configure_coordination_service(
        service_type="standalone",
        service_leader=f"/job:{jobs[0]}/replica:0/task:0",
        coordinated_jobs=[
            coordination_config_pb2.CoordinatedJob(name=j, num_tasks=len(cluster[j])) for j in jobs
        ],
        heartbeat_timeout_in_ms=int(heartbeat_seconds(cluster_timeout) * 1000),
    )


def _coordination_protos():
    """The coordination config protos: TensorFlow moved them between 2.16 and 2.17."""
    import importlib

    for module in (
        "tensorflow.compiler.xla.tsl.protobuf.coordination_config_pb2",  # >= 2.17
        "tensorflow.tsl.protobuf.coordination_config_pb2",  # 2.16
    ):
        try:
            return importlib.import_module(module)
        except ImportError:
            continue
    raise ImportError("This TensorFlow has no coordination_config_pb2 (tried 2.16 and 2.17+).")


def is_peer_error(error):
    """Whether `error` is how TensorFlow reports an aborted collective."""
    return type(error).__name__ in PEER_ERRORS and hasattr(error, "error_code")


def _named_tasks(message, cluster):
    """`TF_CONFIG` addresses of the `/job:X/.../task:N` names and `host:port`s in `message`."""
    found = []
    for kind, index in re.findall(r"/job:(\w+)/(?:replica:\d+/)?task:(\d+)", message):
        addresses = cluster.get(kind, [])
        if int(index) < len(addresses):
            found.append(f"{kind} {index} ({addresses[int(index)]})")
    for kind, addresses in cluster.items():
        for index, address in enumerate(addresses):
            if address in message:
                found.append(f"{kind} {index} ({address})")
    return list(dict.fromkeys(found))


def peer_lost(error, *, epoch, epochs_done, env=None, probe_timeout=2.0):
    """The one-line `JobFailed` for a collective aborted by a missing peer.

    Args:
        error: the TensorFlow error (`is_peer_error`).
        epoch: the 1-based epoch that was running.
        epochs_done: epochs saved in the last backup.
        env: the environment holding `TF_CONFIG`; None: `os.environ`.
        probe_timeout: seconds to wait for each peer's connection.

    Returns:
        A `JobFailed`.
    """
    config = read_tf_config(env)
    cluster = config.get("cluster", {})
    own, peers = cluster_addresses(config)
    names = {a: f"{k} {i} ({a})" for k, addrs in cluster.items() for i, a in enumerate(addrs)}
    missing = [names[a] for a in peers if not _reachable(a, probe_timeout)]
    missing = missing or [n for n in _named_tasks(str(error), cluster) if own not in n]
    who = ", ".join(missing) or "a peer named in TF_CONFIG"
    return JobFailed(
        f"Multi-worker: lost {who} during epoch {epoch}; the collective was aborted "
        f"({type(error).__name__}). Rerun the same command on every worker (same TF_CONFIG "
        f"and --out) to resume from the last backup ({epochs_done} epoch(s) done)."
    )
