"""`TF_CONFIG`, checked, and a bounded wait for its peers before TensorFlow's collectives start.

`MultiWorkerMirroredStrategy` blocks in C++ until every worker of `TF_CONFIG`
has joined: a missing peer hangs the run forever, deaf to SIGTERM and SIGINT.
`wait_for_peers` first opens a plain TCP connection to each peer's address,
in Python, with a deadline and progress lines, so a missing peer ends in a
`JobFailed` naming it and a signal ends the wait at once. Meanwhile it listens
on this worker's own address, so peers that wait the same way see it too.

Example:
    >>> wait_for_peers(timeout=60)  # returns once every peer accepts a connection
"""

import contextlib
import json
import os
import signal
import socket
import threading
import time

from applications.errors import JobFailed, UsageError

__all__ = ["read_tf_config", "cluster_addresses", "wait_for_peers"]

TF_CONFIG_HINT = (
    'set TF_CONFIG to {"cluster": {"worker": ["host1:port", "host2:port"]}, '
    '"task": {"type": "worker", "index": 0}}'
)


def _bad_tf_config(problem, text):
    return UsageError(
        f"TF_CONFIG {problem}. Received: TF_CONFIG={text[:200]!r}", hint=TF_CONFIG_HINT
    )


def read_tf_config(env=None):
    """`TF_CONFIG` parsed and checked.

    Args:
        env: the environment to read; None: `os.environ`.

    Returns:
        {} when unset, else a dict whose `cluster` maps task types to lists of
        `host:port` and whose `task` (if any) names one of them.

    Raises:
        UsageError: not JSON, or not of that shape (naming what is wrong).
    """
    text = (os.environ if env is None else env).get("TF_CONFIG", "")
    if not text:
        return {}
    try:
        config = json.loads(text)
    except json.JSONDecodeError as error:
        raise _bad_tf_config(f"is not valid JSON ({error})", text) from None
    if not isinstance(config, dict):
        raise _bad_tf_config("must be a JSON object", text)
    cluster, task = config.get("cluster", {}), config.get("task", {})
    if not isinstance(cluster, dict):
        raise _bad_tf_config('"cluster" must map task types to lists of "host:port"', text)
    for kind, addresses in cluster.items():
        if not isinstance(addresses, list) or not all(
            isinstance(a, str) and a.rpartition(":")[2].isdigit() for a in addresses
        ):
            raise _bad_tf_config(f'"cluster"/"{kind}" must be a list of "host:port" strings', text)
    if not isinstance(task, dict):
        raise _bad_tf_config('"task" must be an object like {"type": "worker", "index": 0}', text)
    if task:
        kind, index = task.get("type"), task.get("index", 0)
        valid = isinstance(index, int) and not isinstance(index, bool)
        if kind not in cluster or not valid or not 0 <= index < len(cluster[kind]):
            raise _bad_tf_config(
                f'"task" {task} names no entry of "cluster" (types: {sorted(cluster)})', text
            )
    return config


def cluster_addresses(config):
    """`(own address or None, [peer addresses])` of a parsed `TF_CONFIG`.

    Args:
        config: the parsed `TF_CONFIG` dict (`cluster`, `task`).

    Returns:
        This task's `host:port` and those of every other chief and worker.
    """
    cluster, task = config.get("cluster", {}), config.get("task", {})
    own = None
    if task:
        own = cluster[task["type"]][task.get("index", 0)]
    addresses = [a for kind in ("chief", "worker") for a in cluster.get(kind, [])]
    return own, [a for a in addresses if a != own]


def _split(address):
    host, _, port = address.rpartition(":")
    return host.strip("[]") or "localhost", int(port)


def _reachable(address, timeout):
    try:
        with socket.create_connection(_split(address), timeout=timeout):
            return True
    except OSError:
        return False


@contextlib.contextmanager
def _listening(address):
    """Accept connections on `address` meanwhile, when it can be bound here."""
    listener = None
    host, port = _split(address) if address else (None, None)
    # The named host first; every interface when that name is not bound here (NAT, DNS).
    for where in ((host, port), ("", port)) if address else ():
        try:
            listener = socket.create_server(where, backlog=64)
            break
        except (OSError, ValueError):
            continue  # already served (TensorFlow's server), or not this machine
    try:
        yield
    finally:
        if listener is not None:
            listener.close()


class _Stopped(Exception):
    pass


@contextlib.contextmanager
def _stoppable():
    """Turn SIGTERM into an exception while waiting (SIGINT already is one)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise _Stopped(signal.Signals(signum).name)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def wait_for_peers(timeout=300.0, env=None, log=print, interval=1.0, report_every=10.0):
    """Wait until every peer named by `TF_CONFIG` accepts a TCP connection.

    Args:
        timeout: seconds to wait in all (`--cluster-timeout`).
        env: the environment holding `TF_CONFIG`; None: `os.environ`.
        log: prints the progress lines.
        interval: seconds between rounds of connection attempts.
        report_every: seconds between progress lines.

    Raises:
        JobFailed: a peer is still unreachable after `timeout` seconds, or a
            SIGTERM arrived meanwhile.
        KeyboardInterrupt: SIGINT (Ctrl-C) arrived meanwhile.
    """
    own, missing = cluster_addresses(read_tf_config(env))
    if not missing:
        return
    start = time.monotonic()
    deadline = start + timeout
    next_report = start
    try:
        with _stoppable(), _listening(own):
            while True:
                missing = [a for a in missing if not _reachable(a, min(interval, 2.0))]
                now = time.monotonic()
                if not missing:
                    log(f"Multi-worker: every peer is reachable after {now - start:.0f}s.")
                    return
                if now >= deadline:
                    raise JobFailed(
                        f"Multi-worker: peer(s) {', '.join(missing)} named in TF_CONFIG not "
                        f"reachable after {timeout:g}s.",
                        hint="start every worker of TF_CONFIG (same cluster list, own task "
                        "index), check the addresses and firewalls, or raise --cluster-timeout",
                    )
                if now >= next_report:
                    log(
                        f"Multi-worker: waiting for {len(missing)} peer(s): {', '.join(missing)} "
                        f"({now - start:.0f}s of {timeout:g}s)"
                    )
                    next_report = now + report_every
                time.sleep(max(0.0, min(interval, deadline - now)))
    except _Stopped as stopped:
        raise JobFailed(
            f"Multi-worker: stopped by {stopped} while waiting for peer(s) {', '.join(missing)}."
        ) from None
