"""A logger that prints one readable line per write.

Example line: `[Environment Loop] Episode Length = 200 | Episode Return = 12.000`.
"""

import math
import numbers
import time
from typing import Any, Callable, Optional

import numpy as np

from troupe.components.loggers import base


def format_key(key: str) -> str:
    """Turns 'episode_return' into 'Episode Return'."""
    return str(key).replace('_', ' ').title()


def format_float(value: float) -> str:
    """Formats a float with about five significant digits, at most three decimals.

    12.0 -> '12.000', 2512.34 -> '2512.3', 123456.7 -> '123457', 0.5 -> '0.500',
    0.01234 -> '0.01234', 1.5e-07 -> '1.5e-07'. Small values keep their digits
    rather than rounding to zero.
    """
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    magnitude = abs(value)
    if magnitude == 0.0:
        return '0.000'
    if magnitude < 0.1 or magnitude >= 1e15:
        return f'{value:.4g}'
    exponent = math.floor(math.log10(magnitude))
    decimals = min(3, max(0, 4 - exponent))
    return f'{value:.{decimals}f}'


def format_value(value: Any) -> str:
    """Formats one logged value: integers as integers, floats by `format_float`."""
    value = base.tensor_to_numpy(value)
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return format_float(value)
    if isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.floating):
        return np.array2string(value, separator=', ',
                               formatter={'float_kind': format_float})
    if isinstance(value, np.ndarray):
        return np.array2string(value, separator=', ')
    return str(value)


def serialize(data: base.LoggingData) -> str:
    """Renders a mapping as 'Key A = 1 | Key B = 2.000', keys sorted."""
    return ' | '.join(f'{format_key(key)} = {format_value(value)}'
                      for key, value in sorted(data.items()))


class TerminalLogger(base.Logger):
    """Prints each write as one line, at most once every `time_delta` seconds."""

    def __init__(self,
                 label: str = '',
                 time_delta: float = 0.0,
                 print_fn: Optional[Callable[[str], Any]] = None,
                 serialize_fn: Callable[[base.LoggingData], str] = serialize):
        """Creates the logger.

        Args:
          label: shown in brackets at the start of each line ('' for none).
          time_delta: minimum seconds between printed lines; writes arriving
            sooner are dropped. The first write is always printed.
          print_fn: receives each line; defaults to `print` (flushed).
          serialize_fn: renders a mapping as the text after the label.
        """
        if time_delta < 0:
            raise ValueError(f'time_delta must be >= 0 seconds, got {time_delta}.')
        self._label = f'[{format_key(label)}] ' if label else ''
        self._time_delta = time_delta
        self._print_fn = print_fn or _print_flushed
        self._serialize_fn = serialize_fn
        self._last_time: Optional[float] = None

    def write(self, data: base.LoggingData) -> None:
        now = time.monotonic()
        if (self._last_time is not None
                and now - self._last_time < self._time_delta):
            return
        self._print_fn(f'{self._label}{self._serialize_fn(data)}')
        self._last_time = now

    def close(self) -> None:
        pass


def _print_flushed(line: str) -> None:
    print(line, flush=True)
