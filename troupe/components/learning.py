"""What every learner shares: `LearnerBase` (device, iterator, compiled update,
`step`, `get_variables`, `num_updates`, `state`) and the bookkeeping around an
update (`StepRecorder`: count, log, checkpoint), so learners only write their
update function. Results are handed to the logger as they come (tensors too), so
a logger that drops writes (e.g. a terminal logger with a time delta) never
forces a device-to-host copy.
"""

import abc
import time
from typing import Dict, List, Mapping, Optional, Sequence

import numpy as np
import tensorflow as tf

from troupe import core, errors
from troupe.components import counting, devices, loggers, savers
from troupe.components.losses import polyak_average
from troupe.components.variables import ModuleVariableSource


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


class LearnerBase(core.Learner):
    """What every learner shares, so that a learner writes only its update.

    The base owns: the device (the first GPU, else the CPU, or the one asked
    for, logged), the iterator over the dataset, the update counter
    `num_steps`, the `tf.function`s (one SGD step, XLA-compiled with
    `jit_compile`, and one call that pulls `updates_per_call` batches and runs
    that many steps, so a `step()` costs one Python call however many updates
    it does), bookkeeping (`StepRecorder`: counts, logging, checkpoints),
    `get_variables`, `device`, `num_updates` and `state`.

    A subclass calls `super().__init__(...)` first, builds its networks and
    optimizers under `with tf.device(self.device)`, then calls
    `self._finish(variables, state)`, and implements `_sgd_step_fn(sample)`:
    one update on one `reverb.ReplaySample`, returning a dict of fetches
    (losses) to log. `_after_updates(samples, fetches)`, called in the update
    graph after the call's SGD steps with their samples and fetches, is where
    a learner writes priorities back (all of a call's at once, one write).

    With `updates_per_call` K > 1 one `step()` is one call of one graph that
    pulls K samples and runs K compiled updates (each its own XLA cluster with
    `jit_compile`; one cluster of all K, tried once, was not faster per update
    on a 2-core CPU) and then the learner's write-back.
    """

    def __init__(self,
                 dataset,
                 *,
                 label: str,
                 device: Optional[str] = None,
                 updates_per_call: int = 1,
                 jit_compile: bool = False,
                 counter: Optional[counting.Counter] = None,
                 logger: Optional[loggers.Logger] = None,
                 checkpoint: bool = False,
                 directory: str = '~/troupe',
                 checkpoint_subdirectory: Optional[str] = None):
        """Sets up what every learner shares (see the class docstring).

        Args:
          dataset: a dataset (or iterator) of batched `reverb.ReplaySample`s.
          label: names the learner in logs, the device log line and checkpoints.
          device: where variables live and updates run (see `devices`).
          updates_per_call: SGD updates per `step()` (>= 1).
          jit_compile: XLA-compile the SGD step.
          counter: counts 'steps' (updates) and 'walltime'.
          logger: receives the fetches and counts every step (default: the
            terminal, once a second, as in Acme).
          checkpoint: whether the learner checkpoints its `state` itself.
          directory: checkpoint root.
          checkpoint_subdirectory: names its checkpoints (default: label).
        """
        if (isinstance(updates_per_call, bool) or not isinstance(updates_per_call, int)
                or updates_per_call < 1):
            raise errors.InvalidInput(
                f'updates_per_call must be an integer >= 1, got {updates_per_call!r}.')
        self._label = label
        self._device = devices.select_device(device, role=label)
        self._iterator = iter(dataset)
        self._updates_per_call = int(updates_per_call)
        self._applied: Optional[int] = None  # Updates counted so far (see step).
        self._jit_compile = bool(jit_compile)
        self._counter = counter if counter is not None else counting.Counter()
        self._logger = (logger if logger is not None
                        else loggers.TerminalLogger('learner', time_delta=1.))
        self._checkpoint = (checkpoint, directory, checkpoint_subdirectory or label)
        with tf.device(self._device):
            self._num_steps = tf.Variable(0, dtype=tf.int64, name='num_steps')

    @property
    def element_spec(self):
        """The spec of one batch the iterator yields (a `reverb.ReplaySample`)."""
        return self._iterator.element_spec

    def _finish(self, variables: Mapping[str, Sequence[tf.Variable]],
                state: Mapping[str, object]) -> None:
        """Called at the end of the subclass's `__init__`: the variable groups
        `get_variables` serves, and what `state` (a checkpoint) holds besides
        `num_steps` and the counter."""
        self._source = ModuleVariableSource(variables)
        self._state = dict(state, num_steps=self._num_steps, counter=self._counter)
        checkpoint, directory, subdirectory = self._checkpoint
        self._recorder = StepRecorder(self._counter, self._logger,
                                      checkpointer=make_checkpointer(
                                          checkpoint, self._state, directory,
                                          subdirectory))
        self._sgd_step = tf.function(self._sgd_step_fn, jit_compile=self._jit_compile)
        self._update = tf.function(self._update_fn)

    @abc.abstractmethod
    def _sgd_step_fn(self, sample) -> Dict[str, tf.Tensor]:
        """One update on one batch; returns the fetches to log."""

    def _after_updates(self, samples: Sequence[object],
                       fetches: Sequence[Dict[str, tf.Tensor]]) -> None:
        """In the update graph, after a call's SGD steps, with each step's
        sample and fetches (e.g. priority updates; pop what is not logged)."""
        del samples, fetches

    def _update_fn(self) -> Dict[str, tf.Tensor]:
        samples = [next(self._iterator) for _ in range(self._updates_per_call)]
        results = []
        with tf.device(self._device):
            for sample in samples:
                fetches = self._sgd_step(sample)
                # Counts the update only once it ran: without the dependency the
                # increment, which reads no sample, could run before the update.
                with tf.control_dependencies(tf.nest.flatten(fetches)):
                    self._num_steps.assign_add(1)
                results.append(fetches)
        self._after_updates(samples, results)
        return results[-1]

    def step(self):
        """Applies `updates_per_call` updates and counts them. If a sample fails
        part-way through the call (the replay server stopped), the updates
        already applied are counted before the error propagates, so the
        counter's steps always equal `num_updates`."""
        if self._applied is None:  # Read once, after any restore.
            self._applied = self.num_updates
        try:
            with tf.device(self._device):  # Also places variables made on first use.
                fetches = self._update()
        except Exception:
            partial = self.num_updates - self._applied
            if partial > 0:
                self._applied += partial
                self._recorder.counter.increment(steps=partial)
            raise
        self._applied += self._updates_per_call
        self._recorder.record(fetches, steps=self._updates_per_call)

    def get_variables(self, names: Sequence[str]) -> List[List[np.ndarray]]:
        return self._source.get_variables(names)

    @property
    def device(self) -> str:
        """The device the learner's variables live on and its updates run on."""
        return self._device

    @property
    def num_updates(self) -> int:
        """SGD updates applied so far."""
        return int(self._num_steps.numpy())

    @property
    def state(self) -> Dict[str, object]:
        """What a Checkpointer saves: networks, optimizers, `num_steps`, counter."""
        return self._state
