"""What every learner's `step()` does around its update: count, log, checkpoint.

`StepRecorder` keeps that bookkeeping in one place so learners only write their
update function. Results are handed to the logger as they come (tensors too), so
a logger that drops writes (e.g. a terminal logger with a time delta) never
forces a device-to-host copy.
"""

import time
from typing import Mapping, Optional, Sequence

import tensorflow as tf

from troupe.components import counting, loggers, savers
from troupe.components.losses import polyak_average


class StepRecorder:
    """Counts learner steps with their wall time, logs results, checkpoints."""

    def __init__(self,
                 counter: Optional[counting.Counter],
                 logger: Optional[loggers.Logger],
                 default_logger_label: str = 'learner',
                 checkpointer: Optional[savers.Checkpointer] = None):
        self.counter = counter if counter is not None else counting.Counter()
        self.logger = logger if logger is not None else loggers.make_default_logger(
            default_logger_label, steps_key=f'{default_logger_label}_steps')
        self.checkpointer = checkpointer
        self._timestamp: Optional[float] = None

    def record(self, fetches: Mapping[str, object], steps: int = 1) -> dict:
        """Counts `steps` updates, logs `fetches` with the counts, maybe checkpoints."""
        now = time.time()
        elapsed = now - self._timestamp if self._timestamp else 0
        self._timestamp = now
        counts = self.counter.increment(steps=steps, walltime=elapsed)
        result = dict(fetches)
        result.update(counts)
        self.logger.write(result)
        if self.checkpointer is not None:
            self.checkpointer.save()
        return result


def make_checkpointer(checkpoint: bool, objects: Mapping[str, object],
                      directory: str, subdirectory: str
                      ) -> Optional[savers.Checkpointer]:
    """A Checkpointer of `objects` when `checkpoint` is set, else None."""
    if not checkpoint:
        return None
    return savers.Checkpointer(objects_to_save=dict(objects), directory=directory,
                               subdirectory=subdirectory)


def assign_target(online: Sequence[tf.Variable], target: Sequence[tf.Variable],
                  rate: Optional[float] = None) -> None:
    """Copies (rate None) or Polyak-averages online variables into target ones.

    Works eagerly and inside tf.function / XLA; shapes must match pairwise.
    """
    if len(online) != len(target):
        raise ValueError(f'{len(online)} online variables but {len(target)} target '
                         'variables; the networks must have the same structure.')
    if rate is None:
        for src, dest in zip(online, target):
            dest.assign(src)
        return
    for dest, value in zip(target, polyak_average(online, target, rate)):
        dest.assign(value)
