"""Progress of a counted phase: a bar in a terminal, plain lines in a pipe or a log file.

A bar redraws its line with `\\r`, which a log file keeps as noise, so when the
output is not a terminal the count is printed as whole lines instead, about
every tenth of the way (and at the end).

Example:
    >>> progress = Progress(403, "Parsing the chorales", unit="file")
    >>> for path in paths:
    ...     parse(path)
    ...     progress.advance()
    >>> progress.close()
"""

import sys
import time

__all__ = ["Progress"]


class Progress:
    """Counts `done` of `total` steps and shows it.

    Args:
        total: the number of steps.
        what: what the phase does, printed once at the start ("Parsing 403 files").
        unit: the step's name in the plain lines (e.g. "file", "sample").
        stream: where to write (default: standard output).
        lines: how many plain lines a pipe gets over the whole phase.
    """

    def __init__(self, total, what, unit="step", stream=None, lines=10):
        self.total, self.unit, self.done = max(int(total), 1), unit, 0
        self.stream = stream or sys.stdout
        self.start = time.perf_counter()
        self.every = max(1, -(-self.total // max(1, lines)))  # ceil(total / lines)
        self.bar = None
        isatty = getattr(self.stream, "isatty", None)
        self.print(f"{what} ...")
        if isatty is not None and isatty():
            import keras  # only a terminal gets Keras' bar (its import is seconds)

            self.bar = keras.utils.Progbar(self.total, unit_name=unit)

    def print(self, line):
        self.stream.write(line + "\n")
        self.stream.flush()

    def advance(self, steps=1):
        """Count `steps` more done."""
        self.update(self.done + steps)

    def update(self, done):
        """Set the count to `done`."""
        before, self.done = self.done, min(int(done), self.total)
        if self.bar is not None:
            self.bar.update(self.done)
        elif self.done == self.total or self.done // self.every > before // self.every:
            seconds = time.perf_counter() - self.start
            self.print(f"  {self.done}/{self.total} {self.unit}s, {seconds:.0f}s")

    def close(self):
        """End the display (a terminal's bar gets its final line)."""
        if self.bar is not None and self.done < self.total:
            self.stream.write("\n")
            self.stream.flush()
