"""BatchedEnvironment: N copies of an environment stepped together, for acting on
a batch with one policy call per step.

A batched timestep is a `dm_env.TimeStep` of arrays with a leading axis of N:
`step_type` an int32 array [N] of `dm_env.StepType` values, and observation,
reward and discount nests whose leaves are [N, ...]. A copy whose previous
timestep was LAST is reset by the next `step()` (its action is ignored) and
reports FIRST; in the batched arrays a FIRST copy carries reward 0 and discount 1
(dm_env's None cannot sit in an array), so summing rewards over steps gives
episode returns. `unbatch(timestep)` gives the N ordinary timesteps back, with
None reward and discount for FIRST ones, as dm_env has them.

Copies step in this process by default. With `processes=True` (or a number of
workers K) they step in K worker processes started with multiprocessing's
'spawn' context, each owning a contiguous block of about N/K copies and
talking to the main process over a `Pipe`: one message out and one back per
worker per step, all workers stepping at once. That pays for expensive
environments (dm_control, Atari); a numpy CartPole step (~1 µs) is far cheaper
than a pipe round trip (~100 µs), so cheap environments should stay in-process.
Each worker imports troupe (and so TensorFlow) on start-up, which takes a few
seconds.
"""

import multiprocessing
import os
import pickle
import traceback
from typing import Any, Callable, List, Optional, Sequence, Tuple, Union

import dm_env
import numpy as np
import tree

from troupe.environments import validation

FIRST = dm_env.StepType.FIRST
MID = dm_env.StepType.MID
LAST = dm_env.StepType.LAST
_STEP_TYPES = (FIRST, MID, LAST)  # Indexed by value.
_tuple_new = tuple.__new__
_TimeStep = dm_env.TimeStep

# A registry name (`troupe.environments.make`) or `factory(seed, **kwargs)`.
EnvironmentFactory = Union[str, Callable[..., dm_env.Environment]]
# (step_type, reward, discount, observation) of a block of copies, stacked.
_Arrays = Tuple[np.ndarray, Any, Any, Any]


def make_copy(environment: EnvironmentFactory, seed: Optional[int],
              make_kwargs: dict) -> dm_env.Environment:
    """Builds one copy: `make(name, seed=seed, **kwargs)` or `factory(seed, **kwargs)`."""
    if isinstance(environment, str):
        from troupe.environments import registry
        return registry.make(environment, seed=seed, **make_kwargs)
    return environment(seed, **make_kwargs)


def _conform(spec, value):
    """`value` with the structure of `spec` (a scalar is broadcast to every leaf)."""
    if tree.is_nested(spec) and not tree.is_nested(value):
        return tree.map_structure(lambda _: value, spec)
    return value


class _Stacker:
    """Stacks N timesteps into one batched timestep's arrays, in the specs' dtypes."""

    def __init__(self, observation_spec, reward_spec, discount_spec):
        self._observation_spec = observation_spec
        self._reward_spec = reward_spec
        self._discount_spec = discount_spec
        self._nested_observation = tree.is_nested(observation_spec)
        self._nested_reward = tree.is_nested(reward_spec)
        self._nested_discount = tree.is_nested(discount_spec)
        self._zero_reward = tree.map_structure(
            lambda s: np.zeros(s.shape, s.dtype), reward_spec)
        self._one_discount = tree.map_structure(
            lambda s: np.ones(s.shape, s.dtype), discount_spec)

    @staticmethod
    def _stack(spec, nested: bool, values: List[Any]):
        # np.array of a list is several times faster than np.stack for small
        # arrays, and raises just the same on rows of different shapes.
        if not nested:
            return np.array(values, spec.dtype)
        values = [_conform(spec, value) for value in values]
        return tree.map_structure(lambda s, *xs: np.array(xs, s.dtype), spec, *values)

    def __call__(self, timesteps: Sequence[dm_env.TimeStep]) -> _Arrays:
        step_type = np.fromiter([t[0] for t in timesteps], np.int32, len(timesteps))
        zero, one = self._zero_reward, self._one_discount
        rewards = [zero if t[1] is None else t[1] for t in timesteps]
        discounts = [one if t[2] is None else t[2] for t in timesteps]
        return (step_type,
                self._stack(self._reward_spec, self._nested_reward, rewards),
                self._stack(self._discount_spec, self._nested_discount, discounts),
                self._stack(self._observation_spec, self._nested_observation,
                            [t[3] for t in timesteps]))


class _Copies:
    """Copies stepped in this process, each reset after its LAST timestep.

    Every copy's timesteps are checked (`validation.TimestepChecker`: FIRST
    from reset, MID or LAST from step, observations of the specs' shapes and
    dtypes, finite rewards, discounts in [0, 1]) before they are stacked.
    """

    def __init__(self, environments: Sequence[dm_env.Environment]):
        self.environments = list(environments)
        first = self.environments[0]
        self.specs = (first.observation_spec(), first.action_spec(),
                      first.reward_spec(), first.discount_spec())
        self._stack = _Stacker(self.specs[0], self.specs[2], self.specs[3])
        self._needs_reset = [True] * len(self.environments)
        self._checkers = [validation.TimestepChecker(env) for env in self.environments]
        self._steps = [0] * len(self.environments)  # Of each copy's episode.

    def reset(self) -> _Arrays:
        timesteps = [env.reset() for env in self.environments]
        for index, (checker, timestep) in enumerate(zip(self._checkers, timesteps)):
            _checked(index, checker.first, timestep)
        self._needs_reset = [False] * len(timesteps)
        self._steps = [0] * len(timesteps)
        return self._stack(timesteps)

    def step(self, actions: Sequence[Any]) -> _Arrays:
        timesteps = []
        steps, checkers = self._steps, self._checkers
        for index, (env, reset, action) in enumerate(zip(
                self.environments, self._needs_reset, actions)):
            if reset:
                timestep = env.reset()
                _checked(index, checkers[index].first, timestep)
                steps[index] = 0
            else:
                timestep = env.step(action)
                steps[index] += 1
                _checked(index, checkers[index].step, timestep, steps[index])
            timesteps.append(timestep)
        self._needs_reset = [t[0] == LAST for t in timesteps]
        return self._stack(timesteps)

    def close(self) -> None:
        for env in self.environments:
            env.close()


def _checked(index: int, check, *args) -> None:
    """`check(*args)`, naming copy `index` in its error."""
    try:
        check(*args)
    except validation.InvalidTimestepError as error:
        raise validation.InvalidTimestepError(
            f'BatchedEnvironment copy {index}: {error}') from None


def _picklable_error(error: BaseException) -> BaseException:
    try:
        pickle.dumps(error)
        return error
    except Exception:  # An exception that cannot cross the pipe: keep its text.
        return RuntimeError(f'{type(error).__name__}: {error}')


def _worker(connection, environment, seeds, make_kwargs) -> None:
    """A worker process: owns the copies of `seeds`; serves reset/step/close."""
    try:
        copies = _Copies([make_copy(environment, s, make_kwargs) for s in seeds])
        connection.send(('ok', copies.specs))
    except BaseException as error:  # Report start-up failures, then stop.
        connection.send(('error', (_picklable_error(error), traceback.format_exc())))
        connection.close()
        return
    while True:
        try:
            command, payload = connection.recv()
        except (EOFError, KeyboardInterrupt):  # The main process went away.
            break
        try:
            if command == 'step':
                connection.send(('ok', copies.step(payload)))
            elif command == 'reset':
                connection.send(('ok', copies.reset()))
            elif command == 'close':
                copies.close()
                connection.send(('ok', None))
                break
            else:
                raise ValueError(f'Unknown command {command!r}.')
        except Exception as error:
            connection.send(('error', (_picklable_error(error), traceback.format_exc())))
    connection.close()


def _split_rows(nest, n: int) -> List[Any]:
    """[N, ...] leaves -> a list of the N rows of the nest."""
    if isinstance(nest, np.ndarray):
        return list(nest)
    leaves = tree.flatten(nest)
    return [tree.unflatten_as(nest, [leaf[i] for leaf in leaves]) for i in range(n)]


def unbatch(timestep: dm_env.TimeStep) -> List[dm_env.TimeStep]:
    """Splits a batched timestep into its N ordinary `dm_env.TimeStep`s.

    Step types become `dm_env.StepType` members; FIRST timesteps get None reward
    and discount, as `dm_env.restart` gives them. Observations are views of rows
    of the batched arrays.
    """
    step_types = np.asarray(timestep.step_type).tolist()
    n = len(step_types)
    observations = _split_rows(timestep.observation, n)
    rewards = _split_rows(timestep.reward, n)
    discounts = _split_rows(timestep.discount, n)
    result = []
    for i, value in enumerate(step_types):
        step_type = _STEP_TYPES[value]
        if step_type is FIRST:
            result.append(_tuple_new(_TimeStep, (FIRST, None, None, observations[i])))
        else:
            result.append(_tuple_new(_TimeStep, (step_type, rewards[i], discounts[i],
                                                 observations[i])))
    return result


def _concatenate(blocks: Sequence[_Arrays]) -> _Arrays:
    if len(blocks) == 1:
        return blocks[0]
    return tuple(tree.map_structure(lambda *xs: np.concatenate(xs), *fields)
                 for fields in zip(*blocks))


class BatchedEnvironment(dm_env.Environment):
    """`num_envs` copies of an environment, stepped together with auto-reset.

    Its specs are those of one copy; its timesteps are batched (see the module
    docstring): `step(actions)` takes actions whose leaves have a leading axis of
    `num_envs` and returns step types, rewards, discounts and observations with
    that axis. A copy whose last timestep was LAST is reset by the next `step()`
    (ignoring its action) and reports FIRST with reward 0 and discount 1.
    Calling `step()` before `reset()` resets every copy, as dm_env specifies.
    """

    def __init__(self,
                 environment: EnvironmentFactory,
                 num_envs: int,
                 seed: Optional[int] = None,
                 *,
                 processes: Union[bool, int] = False,
                 **make_kwargs):
        """Builds the copies.

        Args:
          environment: a registry name (`troupe.environments.make(name, seed=...,
            **make_kwargs)`) or a callable `environment(seed, **make_kwargs)`
            returning a `dm_env.Environment`.
          num_envs: N >= 1 copies.
          seed: copy i is built with seed `seed + i`; None gives every copy None.
          processes: False steps the copies in this process. True steps them in
            min(N, CPU count) worker processes, an int K >= 1 in K workers; each
            worker owns a contiguous block of N/K (±1) copies. The environment
            must then be picklable (a registry name, or a module-level callable).
          **make_kwargs: passed to every copy's constructor.
        """
        if isinstance(num_envs, bool) or not isinstance(num_envs, (int, np.integer)) \
                or num_envs < 1:
            raise ValueError(f'num_envs must be an integer >= 1, got {num_envs!r}.')
        if not (isinstance(environment, str) or callable(environment)):
            raise ValueError(f'environment must be a registry name or a callable '
                             f'seed -> dm_env.Environment, got {environment!r}.')
        num_envs = int(num_envs)
        self._num_envs = num_envs
        self._seeds = [None if seed is None else seed + i for i in range(num_envs)]
        self._closed = False
        self._copies: Optional[_Copies] = None
        self._workers: List[Tuple[Any, Any]] = []  # (process, connection)
        self._blocks: List[slice] = []
        num_workers = self._num_workers(processes, num_envs)
        if num_workers == 0:
            self._copies = _Copies([make_copy(environment, s, make_kwargs)
                                    for s in self._seeds])
            specs = self._copies.specs
        else:
            specs = self._start_workers(environment, num_workers, make_kwargs)
        (self._observation_spec, self._action_spec, self._reward_spec,
         self._discount_spec) = specs
        self._nested_action = tree.is_nested(self._action_spec)

    @staticmethod
    def _num_workers(processes: Union[bool, int], num_envs: int) -> int:
        if processes is False:
            return 0
        if processes is True:
            return min(num_envs, os.cpu_count() or 1)
        if (isinstance(processes, (int, np.integer))
                and 1 <= processes <= num_envs):
            return int(processes)
        raise ValueError(f'processes must be False, True or a number of workers in '
                         f'[1, num_envs = {num_envs}], got {processes!r}.')

    def _start_workers(self, environment, num_workers: int, make_kwargs: dict):
        try:
            pickle.dumps((environment, make_kwargs))
        except Exception as error:
            raise ValueError(
                f'processes=True needs a picklable environment factory and '
                f'arguments (a registry name or a module-level function), got '
                f'{environment!r}: {error}') from error
        context = multiprocessing.get_context('spawn')
        bounds = np.linspace(0, self._num_envs, num_workers + 1).round().astype(int)
        for lo, hi in zip(bounds[:-1], bounds[1:]):
            parent, child = context.Pipe()
            process = context.Process(
                target=_worker, daemon=True,
                args=(child, environment, self._seeds[lo:hi], make_kwargs))
            process.start()
            child.close()
            self._workers.append((process, parent))
            self._blocks.append(slice(int(lo), int(hi)))
        try:
            specs = self._receive_all()[0]
        except BaseException:
            self.close()
            raise
        return specs

    def _receive_all(self) -> List[Any]:
        """One reply from every worker (in order); raises the first error."""
        replies, error = [], None
        for index, (process, connection) in enumerate(self._workers):
            try:
                status, payload = connection.recv()
            except EOFError:
                process.join(timeout=5)
                status, payload = 'error', (RuntimeError(
                    f'BatchedEnvironment worker {index} died (exit code '
                    f'{process.exitcode}) without replying; its error is on '
                    f'stderr. Workers are started with multiprocessing\'s '
                    f'"spawn", which imports the main module again in each '
                    f'worker: a script must build the BatchedEnvironment under '
                    f'`if __name__ == "__main__":`.'), None)
            if status == 'error' and error is None:
                error = (index, *payload)
            replies.append(payload)
        if error is not None:
            index, exception, remote_traceback = error
            if remote_traceback is None:
                raise exception
            raise exception from RuntimeError(
                f'in BatchedEnvironment worker {index}:\n{remote_traceback}')
        return replies

    # dm_env.Environment.

    def reset(self) -> dm_env.TimeStep:
        """Resets every copy; all report FIRST (reward 0, discount 1)."""
        self._check_open()
        if self._copies is not None:
            return _TimeStep(*self._copies.reset())
        for _, connection in self._workers:
            connection.send(('reset', None))
        return _TimeStep(*_concatenate(self._receive_all()))

    def step(self, action) -> dm_env.TimeStep:
        """Steps every copy with its row of `action` (copies after LAST reset)."""
        self._check_open()
        rows = self._split_actions(action)
        if self._copies is not None:
            return _TimeStep(*self._copies.step(rows))
        for block, (_, connection) in zip(self._blocks, self._workers):
            connection.send(('step', rows[block]))
        return _TimeStep(*_concatenate(self._receive_all()))

    def observation_spec(self):
        return self._observation_spec

    def action_spec(self):
        return self._action_spec

    def reward_spec(self):
        return self._reward_spec

    def discount_spec(self):
        return self._discount_spec

    def close(self) -> None:
        """Closes every copy and stops the workers; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        if self._copies is not None:
            self._copies.close()
        for _, connection in self._workers:
            try:
                connection.send(('close', None))
            except (BrokenPipeError, OSError):
                pass
        for process, connection in self._workers:
            try:
                if connection.poll(10):
                    connection.recv()  # The worker has closed its copies.
            except (EOFError, OSError):
                pass
            connection.close()
            # A worker's interpreter can take seconds to shut TensorFlow down;
            # its copies are closed, so it is stopped rather than waited for.
            process.join(timeout=0.5)
            if process.is_alive():
                process.terminate()
                process.join()

    # Batching.

    def _check_open(self) -> None:
        if self._closed:
            raise ValueError('This BatchedEnvironment is closed.')

    def _leading_axis_error(self, shape) -> ValueError:
        return ValueError(
            f'BatchedEnvironment with num_envs={self._num_envs} needs actions with a '
            f'leading axis of {self._num_envs}, got an action of shape {shape}.')

    def _split_actions(self, action) -> List[Any]:
        """The N per-copy actions of a batched action, checking the leading axis."""
        n = self._num_envs
        if not self._nested_action:
            array = np.asarray(action)
            if array.ndim == 0 or array.shape[0] != n:
                raise self._leading_axis_error(array.shape)
            if array.ndim == 1 and array.dtype.kind in 'iu':
                return array.tolist()  # Python ints: the cheapest discrete actions.
            return list(array)
        try:
            tree.assert_same_structure(self._action_spec, action)
        except (TypeError, ValueError) as error:
            raise ValueError(
                f'Batched actions must have the structure of the action spec '
                f'{self._action_spec!r}, got {action!r}.') from error
        leaves = [np.asarray(leaf) for leaf in tree.flatten(action)]
        for leaf in leaves:
            if leaf.ndim == 0 or leaf.shape[0] != n:
                raise self._leading_axis_error(leaf.shape)
        return [tree.unflatten_as(self._action_spec, [leaf[i] for leaf in leaves])
                for i in range(n)]

    def unbatch(self, timestep: dm_env.TimeStep) -> List[dm_env.TimeStep]:
        """The N ordinary timesteps of a batched one (see `unbatch`)."""
        return unbatch(timestep)

    @property
    def num_envs(self) -> int:
        """The number of copies N."""
        return self._num_envs

    @property
    def num_workers(self) -> int:
        """Worker processes stepping the copies (0: they step in this process)."""
        return len(self._workers)

    @property
    def seeds(self) -> List[Optional[int]]:
        """The seed of each copy."""
        return list(self._seeds)

    @property
    def environments(self) -> List[dm_env.Environment]:
        """The copies themselves (in-process batches only)."""
        if self._copies is None:
            raise ValueError('The copies live in worker processes (processes='
                             'True); only an in-process batch exposes them.')
        return list(self._copies.environments)
