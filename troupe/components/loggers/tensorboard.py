"""A logger that writes each numeric value as a TensorBoard scalar."""

import logging
import numbers
import os
from typing import Optional, Set, Union

import numpy as np
import tensorflow as tf

from troupe.components.loggers import base

_log = logging.getLogger(__name__)


class TensorBoardLogger(base.Logger):
    """Writes scalars under the tag '<label>/<key>' to an event file in `logdir`.

    The x-axis step is the value under `steps_key` when given (so that curves
    from different processes line up on, e.g., learner steps), else the number
    of writes so far. Values that are not real scalars (strings, arrays with
    more than one element) are skipped with a warning the first time per key.
    """

    def __init__(self,
                 logdir: Union[str, os.PathLike],
                 label: str = '',
                 steps_key: Optional[str] = None):
        """Creates the logger and its summary writer.

        Args:
          logdir: the directory of the event files ('~' is expanded).
          label: the tag prefix ('' for none).
          steps_key: the key whose value is the step of each write; writes
            without it are skipped with a warning.
        """
        self._logdir = os.path.expanduser(os.fspath(logdir))
        self._label = label
        self._steps_key = steps_key
        self._writes = 0
        self._skipped_keys: Set[str] = set()
        self._writer = tf.summary.create_file_writer(self._logdir)

    @property
    def logdir(self) -> str:
        return self._logdir

    def write(self, data: base.LoggingData) -> None:
        data = base.to_numpy(data)
        if self._steps_key is None:
            step = self._writes
        elif self._steps_key in data:
            step = int(data[self._steps_key])
        else:
            _log.warning('TensorBoardLogger: steps key %r not in the logged keys %s; '
                         'skipping this write.', self._steps_key, sorted(data))
            return
        with self._writer.as_default():
            for key, value in data.items():
                if key == self._steps_key:
                    continue
                scalar = self._as_scalar(key, value)
                if scalar is not None:
                    tag = f'{self._label}/{key}' if self._label else str(key)
                    tf.summary.scalar(tag, scalar, step=step)
        self._writes += 1

    def flush(self) -> None:
        """Writes pending events to disk."""
        self._writer.flush()

    def close(self) -> None:
        self._writer.close()

    def _as_scalar(self, key: str, value) -> Optional[float]:
        if isinstance(value, np.ndarray) and value.size == 1:
            value = value.reshape(())[()]
        if isinstance(value, numbers.Real):
            return float(value)
        if key not in self._skipped_keys:
            self._skipped_keys.add(key)
            _log.warning('TensorBoardLogger: %r is not a real scalar (got %r); '
                         'not logging it.', key, value)
        return None
