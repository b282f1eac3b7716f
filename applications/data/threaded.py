"""`map` over threads, in order, with a bounded number of calls in flight.

`ThreadPoolExecutor.map` submits every call at once: a million files make a
million futures (about 1 KB each) before the first result is read. Here at most
`ahead` are pending, so memory stays flat in the number of files.
"""

import collections
import concurrent.futures

__all__ = ["threaded_map"]


def threaded_map(fn, items, threads=8, ahead=None):
    """Yield `fn(item)` for each of `items`, in order, computed on `threads` threads.

    Args:
        fn: a function of one item (its exceptions are raised where its result is).
        items: any iterable (read as the calls are submitted).
        threads: calls at once.
        ahead: calls submitted but not yet yielded; default `4 * threads`.

    Example:
        >>> list(threaded_map(lambda x: x * x, range(5), threads=2))
        [0, 1, 4, 9, 16]
    """
    ahead = ahead or 4 * threads
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        pending = collections.deque()
        for item in items:
            pending.append(pool.submit(fn, item))
            if len(pending) >= ahead:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
