"""What every learner shares: `LearnerBase` (device, iterator, compiled update,
`step`, `get_variables`, `num_updates`, `state`) and the bookkeeping around an
update (`StepRecorder`: count, log, checkpoint), so learners only write their
update function. Results are handed to the logger as they come (tensors too), so
a logger that drops writes (e.g. a terminal logger with a time delta) never
forces a device-to-host copy.

Every update is guarded against non-finite values (`on_non_finite`): when an
update's fetches (losses) or resulting variables are not all finite, `step()`
either raises `errors.NonFiniteLossError` naming the fetch, its value and the
step, before anything is logged or checkpointed ('raise', the default), or
undoes the update in the graph and counts it as skipped ('skip'). The host reads one scalar per `step()` (the number of
updates applied) to decide.
"""

import abc
import time
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import tensorflow as tf

from troupe import core, errors
from troupe.components import counting, devices, loggers, savers
from troupe.components.losses import polyak_average
from troupe.components.variables import ModuleVariableSource


NON_FINITE_MODES = ('raise', 'skip')


def check_non_finite_mode(name: str, value) -> None:
    """Raises an InvalidInput unless `value` is one of `NON_FINITE_MODES`."""
    if not isinstance(value, str) or value not in NON_FINITE_MODES:
        raise errors.InvalidInput(
            f"{name} must be 'raise' (stop with an error) or 'skip' (skip the "
            f"update and count it), got {value!r}.")


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


def _module_variables(module: tf.Module) -> List[tf.Variable]:
    """`module.variables`, or [] for a Sonnet module that has none (yet), for
    which Sonnet raises a ValueError (e.g. an SGD optimizer)."""
    try:
        return list(module.variables)
    except ValueError:
        return []


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


def periodic_target_update(num_steps: tf.Variable, period: int,
                           online: Sequence[tf.Variable],
                           target: Sequence[tf.Variable]) -> None:
    """Copies `online` into `target` when `num_steps` (the updates before this
    one) is a multiple of `period`: after the first update and every `period`
    updates from then on. Inside a tf.function (and XLA) the test is a
    `tf.cond`; `period` 1 copies every update."""
    if period == 1:
        assign_target(online, target)
        return

    def copy():
        assign_target(online, target)
        return tf.constant(True)
    tf.cond(num_steps % period == 0, copy, lambda: tf.constant(False))


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

    Non-finite values (`on_non_finite`). Inside the compiled step, after the
    subclass's `_sgd_step_fn`, every floating-point fetch and every
    floating-point tf.Variable of `state` (networks, targets, optimizer slots;
    not `num_steps`) is checked to be finite (a NaN or Inf gradient shows up
    as a non-finite variable or optimizer slot). An update that fails the
    check is not counted in `num_steps`. The host reads one scalar per
    `step()`, the number of updates the call applied:

    - 'raise' (the default): `_after_updates` does not run (no priorities are
      written), and `step()` raises `errors.NonFiniteLossError` naming the
      fetch, its value and the step, before anything is logged or
      checkpointed, so the last checkpoint saved is the last good one. The
      learner's variables are left as the bad update made them (no copy of
      them is kept, which would cost every update): the run stops.
    - 'skip': every variable is read before each update, and an update that
      fails the check is undone in the graph (its variables are assigned
      their values from before it); the call's other updates apply; skipped
      ones are counted (`skipped_updates`, logged as the fetch
      'skipped_updates', not checkpointed); a call with a skipped update
      writes nothing back (`_after_updates` does not run).

    `_after_updates` therefore runs inside a `tf.cond`: it may pop fetches
    but not add tensors to them.
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
                 checkpoint_subdirectory: Optional[str] = None,
                 on_non_finite: str = 'raise'):
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
          on_non_finite: 'raise' or 'skip' (see the class docstring); also
            settable later as the `on_non_finite` property, and set from an
            agent config's field of that name by its builder.
        """
        if (isinstance(updates_per_call, bool) or not isinstance(updates_per_call, int)
                or updates_per_call < 1):
            raise errors.InvalidInput(
                f'updates_per_call must be an integer >= 1, got {updates_per_call!r}.')
        check_non_finite_mode('on_non_finite', on_non_finite)
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
        self._on_non_finite = on_non_finite
        self._skipped = 0
        # What the compiled step checks, named (set when it is traced).
        self._checked_names: Tuple[List[str], List[str]] = ([], [])
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
        self._sgd_step = tf.function(self._checked_step_fn,
                                     jit_compile=self._jit_compile)
        self._update = tf.function(self._update_fn)

    @abc.abstractmethod
    def _sgd_step_fn(self, sample) -> Dict[str, tf.Tensor]:
        """One update on one batch; returns the fetches to log."""

    def _after_updates(self, samples: Sequence[object],
                       fetches: Sequence[Dict[str, tf.Tensor]]) -> None:
        """In the update graph, after a call's SGD steps, with each step's
        sample and fetches (e.g. priority updates; pop what is not logged).
        Runs only when all the call's updates were applied (see the class
        docstring)."""
        del samples, fetches

    def _state_variables(self) -> List[Tuple[str, tf.Variable]]:
        """(name, variable) for every tf.Variable of `state` but `num_steps`."""
        found, seen = [], {self._num_steps.ref()}
        for key, value in self._state.items():
            if isinstance(value, tf.random.Generator):
                variables = [value.state]
            elif isinstance(value, tf.Variable):
                variables = [value]
            elif isinstance(value, tf.Module):
                variables = _module_variables(value)
            else:
                continue
            for variable in variables:
                if variable.ref() not in seen:
                    seen.add(variable.ref())
                    found.append((f'{key}/{variable.name}', variable))
        return found

    def _checked_step_fn(self, sample, allowed=True):
        """`_sgd_step_fn` guarded against non-finite values (class docstring).

        Returns (fetches, flags, kept): `flags` says, for each floating-point
        fetch and then each floating-point state variable, whether it is
        finite; `kept` whether the update was applied (finite and `allowed`).
        """
        # A learner's optimizers make their slots on the first trace; TF then
        # traces again, and that trace, which runs, sees them here.
        variables = self._state_variables()
        undoable = self._on_non_finite == 'skip'
        before = ([variable.read_value() for _, variable in variables]
                  if undoable else [])
        fetches = self._sgd_step_fn(sample)
        fetch_names, variable_names, flags = [], [], []
        for key, value in fetches.items():
            leaves = tf.nest.flatten(value)
            for i, leaf in enumerate(leaves):
                if getattr(leaf, 'dtype', None) is not None and leaf.dtype.is_floating:
                    fetch_names.append(key if len(leaves) == 1 else f'{key}[{i}]')
                    flags.append(tf.reduce_all(tf.math.is_finite(leaf)))
        # One sum per variable, then one finiteness test of all the sums: a sum
        # is finite exactly when its variable holds no NaN or Inf (barring a
        # float32 overflow of finite values beyond 3e38), and costs less than
        # a test per element (measured: the per-element tests slowed a DQN
        # update by 15-25%, the sums by less than the noise).
        sums = []
        for name, variable in variables:
            if variable.dtype.is_floating:
                variable_names.append(name)
                sums.append(tf.cast(tf.reduce_sum(variable.read_value()), tf.float32))
        self._checked_names = (fetch_names, variable_names)
        if sums:
            flags.extend(tf.unstack(tf.math.is_finite(tf.stack(sums))))
        flags = tf.stack(flags) if flags else tf.ones([0], tf.bool)
        keep = tf.logical_and(allowed, tf.reduce_all(flags))
        if not undoable:
            return fetches, flags, keep

        def undo():
            for (_, variable), value in zip(variables, before):
                variable.assign(value)
            return tf.constant(False)

        kept = tf.cond(keep, lambda: tf.constant(True), undo)
        return fetches, flags, kept

    def _update_fn(self):
        samples = [next(self._iterator) for _ in range(self._updates_per_call)]
        raise_mode = self._on_non_finite == 'raise'
        results, all_flags, all_kept = [], [], []
        allowed = tf.constant(True)
        with tf.device(self._device):
            for sample in samples:
                fetches, flags, kept = self._sgd_step(sample, allowed)
                # Counts the update only once it ran (kept is its output).
                self._num_steps.assign_add(tf.cast(kept, tf.int64))
                if raise_mode:  # After a bad update the call applies no more.
                    allowed = kept
                results.append(fetches)
                all_flags.append(flags)
                all_kept.append(kept)
            applied = tf.add_n([tf.cast(kept, tf.int64) for kept in all_kept])
            if raise_mode:
                report = self._report(results, all_flags, applied)
            else:
                report = ({}, tf.ones([0], tf.bool))
            if type(self)._after_updates is not LearnerBase._after_updates:
                def write_back():
                    self._after_updates(samples, results)
                    return tf.constant(True)
                tf.cond(tf.equal(applied, self._updates_per_call), write_back,
                        lambda: tf.constant(False))
        return results[-1], applied, report[0], report[1]

    def _report(self, results, all_flags, applied):
        """The fetches and flags of the first update not applied (of the last
        when all were), for the error `step` raises."""
        floating = {key: value for key, value in results[0].items()
                    if isinstance(value, tf.Tensor) and value.dtype.is_floating}
        if len(results) == 1:
            return floating, all_flags[0]
        index = tf.minimum(applied, len(results) - 1)
        fetches = {key: tf.gather(tf.stack([r[key] for r in results]), index)
                   for key in floating}
        return fetches, tf.gather(tf.stack(all_flags), index)

    def step(self):
        """Applies `updates_per_call` updates and counts them. If a sample fails
        part-way through the call (the replay server stopped), the updates
        already applied are counted before the error propagates, so the
        counter's steps always equal `num_updates`. A non-finite update is
        handled as `on_non_finite` says (see the class docstring); with
        'raise' the updates applied before it are counted and
        `errors.NonFiniteLossError` is raised before anything is logged or
        checkpointed."""
        if self._applied is None:  # Read once, after any restore.
            self._applied = self.num_updates
        try:
            with tf.device(self._device):  # Also places variables made on first use.
                fetches, applied, report, flags = self._update()
        except Exception:
            partial = self.num_updates - self._applied
            if partial > 0:
                self._applied += partial
                self._recorder.counter.increment(steps=partial)
            raise
        applied = int(applied)  # The one value read on the host per call.
        missed = self._updates_per_call - applied
        self._applied += applied
        if missed and self._on_non_finite == 'raise':
            if applied:
                self._recorder.counter.increment(steps=applied)
            raise self._non_finite_error(report, flags)
        if self._on_non_finite == 'skip':
            self._skipped += missed
            fetches = dict(fetches, skipped_updates=self._skipped)
        self._recorder.record(fetches, steps=applied)

    def _non_finite_error(self, report: Mapping[str, tf.Tensor],
                          flags: tf.Tensor) -> errors.NonFiniteLossError:
        """The error for the update after the `self._applied`-th."""
        step = self._applied + 1
        fetch_names, variable_names = self._checked_names
        flags = np.asarray(flags)
        values = {name: np.asarray(value) for name, value in report.items()}
        bad_fetches = [name for name, ok in zip(fetch_names, flags) if not ok]
        bad_variables = [name for name, ok in
                         zip(variable_names, flags[len(fetch_names):]) if not ok]

        def value_of(name):
            return values.get(name.split('[')[0])

        def show(name):
            value = value_of(name)
            if value is None:
                return name
            if value.ndim == 0:
                return f'{name} ({float(value)!r})'
            return (f'{name} ({int(np.sum(~np.isfinite(value)))} of {value.size} '
                    'values)')

        if bad_fetches:
            name, value = bad_fetches[0], value_of(bad_fetches[0])
            if value is not None and value.ndim == 0:
                value = float(value)
            what = f'a non-finite {show(name)}'
            if bad_fetches[1:]:
                what += f'; also non-finite: {", ".join(map(show, bad_fetches[1:]))}'
        else:
            name, value = bad_variables[0], None
            listed = ', '.join(bad_variables[:3])
            if len(bad_variables) > 3:
                listed += f' and {len(bad_variables) - 3} more'
            finite = [show(n) for n in fetch_names
                      if value_of(n) is not None and value_of(n).ndim == 0]
            what = f'a non-finite gradient: it made {listed} non-finite'
            if finite:
                what += f' (its fetches were finite: {", ".join(finite)})'
        message = (
            f'{self._label}: the update at learner step {step} produced {what}. '
            'Nothing was logged or checkpointed after it, so the last '
            'checkpoint is the last good one. Look for NaN or Inf in the replayed data '
            '(rewards, observations), or lower the learning rate or clip '
            "gradients; on_non_finite='skip' skips such updates and counts them "
            'instead.')
        return errors.NonFiniteLossError(
            message, learner=self._label, step=step, name=name, value=value,
            non_finite=bad_fetches + bad_variables)

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
    def on_non_finite(self) -> str:
        """'raise' or 'skip': what a non-finite update does (class docstring)."""
        return self._on_non_finite

    @on_non_finite.setter
    def on_non_finite(self, mode: str) -> None:
        check_non_finite_mode('on_non_finite', mode)
        if mode != self._on_non_finite:
            self._on_non_finite = mode
            if hasattr(self, '_update'):  # Retraced at the next step.
                self._sgd_step = tf.function(self._checked_step_fn,
                                             jit_compile=self._jit_compile)
                self._update = tf.function(self._update_fn)

    @property
    def skipped_updates(self) -> int:
        """Updates skipped for non-finite values (with 'skip') since this
        learner was made (not checkpointed)."""
        return self._skipped

    @property
    def state(self) -> Dict[str, object]:
        """What a Checkpointer saves: networks, optimizers, `num_steps`, counter."""
        return self._state


def apply_config(learner: core.Learner, config) -> None:
    """Sets on `learner` the options every `LearnerBase` takes from an agent
    config (`on_non_finite`); builders call it on the learners they make.

    Raises:
      InvalidInput: the config asks to skip non-finite updates of a learner
        that is not a `LearnerBase` (and cannot).
    """
    mode = getattr(config, 'on_non_finite', None)
    if mode is None:
        return
    if isinstance(learner, LearnerBase):
        learner.on_non_finite = mode
    elif mode != 'raise':
        raise errors.InvalidInput(
            f'on_non_finite={mode!r} needs a learner derived from LearnerBase; '
            f'{type(learner).__name__} is not one.')
