"""EnvironmentLoop: runs an Actor in a dm_env environment, counting and logging.

On a `BatchedEnvironment` the loop steps the whole batch with one
`select_action` per step (see `EnvironmentLoop`); that path lives in
`_BatchedRun` below, so the single-environment loop is untouched by it.
"""

import copy
import operator
import time
from typing import Optional, Protocol, Sequence

import dm_env
import numpy as np
import tree

from troupe import core
from troupe.components import counting, loggers

FIRST = int(dm_env.StepType.FIRST)
LAST = int(dm_env.StepType.LAST)


class EnvLoopObserver(Protocol):
    """Sees every step of the loop and contributes metrics to the episode's log."""

    def observe_first(self, env: dm_env.Environment, timestep: dm_env.TimeStep) -> None:
        ...

    def observe(self, env: dm_env.Environment, timestep: dm_env.TimeStep,
                action) -> None:
        ...

    def get_metrics(self) -> dict:
        ...


def _zeros_like_reward(spec):
    return tree.map_structure(lambda s: np.zeros(s.shape, s.dtype), spec)


class EnvironmentLoop(core.Worker):
    """Runs `actor` in `environment` episode after episode.

    Each episode: reset, `observe_first`, then select_action → env.step → observe
    (→ `actor.update()` when `should_update`) until a LAST timestep, which ends the
    episode whether it terminated (discount 0) or was truncated (discount > 0).
    Counts go to `counter` ('episodes', 'steps' under the label's prefix) and each
    episode's results to `logger` (default: terminal plus CSV).

    On a `troupe.environments.BatchedEnvironment` of N copies the actor must act
    on the batch (e.g. `FeedForwardActor(..., batched=True)`): `select_action`
    gets [N, ...] observations and returns [N, ...] actions, and `observe_first`
    / `observe` get batched timesteps. `run()` then steps the batch; every
    finished episode of every copy is logged with the single loop's keys (its
    own length, return, duration and timings) plus 'env_index' (the copy) and
    'batch_steps_per_second' (env steps of all copies per second during the
    episode). Each copy's reset step is not an env step. Observers are copied
    once per copy (`copy.deepcopy`) and each copy sees only its own episodes.
    `run_episode()` has no meaning on a batch (its episodes overlap) and raises.

    An actor that says how it acts (a `batched` attribute, as
    `FeedForwardActor` has, or an agent's `num_envs`) must match the
    environment: a single-environment actor on a `BatchedEnvironment`, or a
    batched one on a single environment, is a ValueError here. For other actors
    the first batch step checks that `select_action` returned one action per
    copy.

    Every timestep is checked against the environment's specs and dm_env's
    episode rules (`troupe.environments.validation.TimestepChecker`): a reset
    that is not FIRST, a step that is FIRST, an observation of the wrong shape
    or dtype, a NaN or Inf reward or a discount outside [0, 1] raises an
    `InvalidTimestepError` naming the environment, the step and the value,
    before the actor sees it (else it fails deep inside Reverb or TensorFlow,
    or trains silently on NaN). The loop never steps an environment after a
    LAST timestep: it resets it.
    """

    def __init__(self,
                 environment: dm_env.Environment,
                 actor: core.Actor,
                 counter: Optional[counting.Counter] = None,
                 logger: Optional[loggers.Logger] = None,
                 should_update: bool = True,
                 label: str = 'environment_loop',
                 observers: Sequence[EnvLoopObserver] = ()):
        self._environment = environment
        self._actor = actor
        self._counter = counter if counter is not None else counting.Counter()
        self._logger = logger if logger is not None else loggers.make_default_logger(
            label, steps_key=f'{label}_steps')
        self._should_update = should_update
        self._label = label
        self._observers = tuple(observers)
        reward_spec = environment.reward_spec()
        self._nested_reward = tree.is_nested(reward_spec)
        self._reward_zeros = _zeros_like_reward(reward_spec)
        from troupe.environments import batched  # Lazy: keeps `import troupe` light.
        from troupe.environments import validation
        is_batch = isinstance(environment, batched.BatchedEnvironment)
        self._check = None if is_batch else validation.TimestepChecker(environment)
        check_actor_matches(environment, actor, is_batch)
        self._batched_run = _BatchedRun(self) if is_batch else None

    def _add_rewards(self, total, reward):
        if reward is None:
            return total
        if self._nested_reward:
            return tree.map_structure(operator.add, total, reward)
        return total + reward

    def run_episode(self) -> dict:
        """Runs one episode and returns (and logs) its results."""
        if self._batched_run is not None:
            raise ValueError(
                'run_episode() runs one episode of one environment, but this loop '
                f'steps a BatchedEnvironment of {self._environment.num_envs} copies '
                'whose episodes overlap; use run(num_episodes=...) or '
                'run(num_steps=...).')
        env, actor, observers = self._environment, self._actor, self._observers
        should_update = self._should_update
        clock = time.perf_counter
        episode_start = clock()
        select_seconds = 0.0
        step_seconds = 0.0
        episode_steps = 0
        episode_return = self._reward_zeros

        check_step = self._check.step
        timestep = env.reset()
        self._check.first(timestep)
        actor.observe_first(timestep)
        for observer in observers:
            observer.observe_first(env, timestep)

        while not timestep.last():
            t0 = clock()
            action = actor.select_action(timestep.observation)
            t1 = clock()
            timestep = env.step(action)
            t2 = clock()
            check_step(timestep, episode_steps + 1)
            select_seconds += t1 - t0
            step_seconds += t2 - t1
            actor.observe(action, next_timestep=timestep)
            for observer in observers:
                observer.observe(env, timestep, action)
            if should_update:
                actor.update()
            episode_steps += 1
            episode_return = self._add_rewards(episode_return, timestep.reward)

        counts = self._counter.increment(episodes=1, steps=episode_steps)
        duration = clock() - episode_start
        result = {
            'episode_length': episode_steps,
            'episode_return': episode_return,
            'steps_per_second': episode_steps / duration if duration > 0 else 0.0,
            'episode_duration_seconds': duration,
            'select_action_seconds': select_seconds,
            'env_step_seconds': step_seconds,
        }
        result.update(counts)
        for observer in observers:
            result.update(observer.get_metrics())
        return result

    def run(self, num_episodes: Optional[int] = None,
            num_steps: Optional[int] = None) -> int:
        """Runs episodes until `num_episodes` or `num_steps` (or forever); returns steps.

        With `num_steps`, the episode that crosses the budget is finished, so the
        steps taken can exceed `num_steps` by less than one episode.

        On a `BatchedEnvironment` the budgets count env steps and episodes of all
        copies. The run stops after the batch step that reaches the budget, so it
        can exceed `num_steps` by less than N steps, and `num_episodes` by the
        other episodes that ended at the same step. Episodes still running then
        continue in the next `run()` call (the batch is reset only once, on the
        first call); their durations are wall time since they started, so they
        include any time between the calls.
        """
        if num_episodes is not None and num_steps is not None:
            raise ValueError(
                f'Give num_episodes or num_steps, not both (got num_episodes='
                f'{num_episodes}, num_steps={num_steps}).')
        for name, value in (('num_episodes', num_episodes), ('num_steps', num_steps)):
            if value is not None and value < 0:
                raise ValueError(f'{name} must be >= 0, got {value}.')

        if self._batched_run is not None:
            return self._batched_run.run(num_episodes, num_steps)
        episodes = steps = 0
        while not ((num_episodes is not None and episodes >= num_episodes) or
                   (num_steps is not None and steps >= num_steps)):
            result = self.run_episode()
            episodes += 1
            steps += result['episode_length']
            self._logger.write(result)
        return steps


def actor_batching(actor: core.Actor) -> Optional[bool]:
    """Whether `actor` acts on batches (True), on one environment (False), or
    None when it does not say: its `batched` attribute (see `troupe.Actor`)."""
    batched = getattr(actor, 'batched', None)  # Duck-typed actors may lack it.
    return bool(batched) if isinstance(batched, (bool, np.bool_)) else None


def _describe_actor(actor: core.Actor) -> str:
    """E.g. 'DQN (an agent built without num_envs)' or 'FeedForwardActor
    (batched=False)'."""
    name = type(actor).__name__
    if hasattr(actor, 'learner') and hasattr(actor, 'num_observations'):
        num_envs = getattr(actor, 'num_envs', None)
        return (f'{name} (an agent built with num_envs={num_envs})' if num_envs
                else f'{name} (an agent built without num_envs)')
    batched = getattr(actor, 'batched', None)
    if isinstance(batched, (bool, np.bool_)):
        return f'{name} (batched={bool(batched)})'
    return name


def check_actor_matches(environment: dm_env.Environment, actor: core.Actor,
                        is_batch: bool) -> None:
    """Raises a ValueError when `actor` says it acts on one environment and
    `environment` is a BatchedEnvironment, or the other way round."""
    batching = actor_batching(actor)
    if is_batch and batching is False:
        n = environment.num_envs
        raise ValueError(
            f'EnvironmentLoop got a BatchedEnvironment of {n} copies but the actor '
            f'{_describe_actor(actor)} acts on one environment at a time. '
            f'Give it an actor that acts on the batch (one [{n}, ...] call per '
            f'step): an agent built with num_envs={n} (DQN, DDPG, D4PG, TD3, SAC), '
            f'FeedForwardActor(..., batched=True) or RandomActor(..., '
            f'num_envs={n}); or give it a single environment.')
    if not is_batch and batching is True:
        raise ValueError(
            f'EnvironmentLoop got a single environment ({type(environment).__name__}) '
            f'but the actor {_describe_actor(actor)} acts on batches of '
            f'observations from a troupe.environments.BatchedEnvironment. Step a '
            f'BatchedEnvironment(name, num_envs=N) with it, or build the actor for '
            f'one environment (num_envs=None, batched=False).')


class _BatchedRun:
    """The batched loop of an `EnvironmentLoop` on a `BatchedEnvironment`.

    Keeps the episodes in flight between `run()` calls. Per-copy bookkeeping is
    vectorised or done once per finished episode: an episode's length is the
    number of batch steps since the step that reset its copy, its timings are
    differences of running totals, and only its return is accumulated per step
    (FIRST copies carry reward 0, so the whole batch's rewards are added).
    """

    def __init__(self, loop: EnvironmentLoop):
        self._loop = loop
        env = loop._environment
        self._num_envs = n = env.num_envs
        self._observers = [[_copy_observer(observer) for observer in loop._observers]
                           for _ in range(n)] if loop._observers else None
        self._timestep = None           # The latest batched timestep.
        self._batch_steps = 0           # env.step() calls so far.
        self._env_steps = 0             # Real env steps of all copies so far.
        self._select_seconds = 0.0      # Running totals of the step timings.
        self._step_seconds = 0.0
        # Per copy, at the start of its current episode: the batch step that
        # reset it, the clock, the running totals above.
        self._start_batch_step = np.zeros(n, np.int64)
        self._start_time = np.zeros(n)
        self._start_env_steps = np.zeros(n, np.int64)
        self._start_select = np.zeros(n)
        self._start_step = np.zeros(n)
        self._returns = tree.map_structure(
            lambda z: np.zeros((n,) + z.shape, z.dtype), loop._reward_zeros)
        self._checked_actions = False   # The first actions are checked once.

    def _start(self, clock) -> None:
        loop, env = self._loop, self._loop._environment
        self._start_time[:] = clock()
        self._timestep = env.reset()
        loop._actor.observe_first(self._timestep)
        if self._observers is not None:
            for observers, timestep in zip(self._observers, env.unbatch(self._timestep)):
                for observer in observers:
                    observer.observe_first(env, timestep)

    def _first_action(self):
        """The first `select_action` of the run, checked to give one action per
        copy; an actor that does not say how it acts and fails on the batch
        gets an error that says what the loop expected."""
        loop, n = self._loop, self._num_envs
        actor, observation = loop._actor, self._timestep.observation
        expected = (f'EnvironmentLoop steps a BatchedEnvironment of {n} copies: '
                    f'the actor gets [{n}, ...] observations and must return one '
                    f'action per copy, with a leading axis of {n} (an agent built '
                    f'with num_envs={n}, FeedForwardActor(..., batched=True) or '
                    f'RandomActor(..., num_envs={n}))')
        try:
            action = actor.select_action(observation)
        except Exception as error:
            if actor_batching(actor) is not None:
                raise
            raise ValueError(f'{expected}; the actor {_describe_actor(actor)} failed '
                             f'on the batch: {type(error).__name__}: {error}') from error
        shapes = [np.shape(leaf) for leaf in tree.flatten(action)]
        if not shapes or any(len(shape) == 0 or shape[0] != n for shape in shapes):
            shown = shapes[0] if len(shapes) == 1 else shapes
            raise ValueError(f'{expected}; the actor {_describe_actor(actor)} '
                             f'returned an action of shape {shown}.')
        self._checked_actions = True
        return action

    def _observe(self, action, timestep) -> None:
        env = self._loop._environment
        actions = _rows(action, self._num_envs)
        for observers, row, ts in zip(self._observers, actions, env.unbatch(timestep)):
            for observer in observers:
                if ts.first():
                    observer.observe_first(env, ts)
                else:
                    observer.observe(env, ts, row)

    def _finish(self, index: int, now: float, pending: int) -> dict:
        """The result of copy `index`'s episode, which ended at this batch step."""
        loop = self._loop
        length = int(self._batch_steps - self._start_batch_step[index])
        duration = now - self._start_time[index]
        all_steps = int(self._env_steps - self._start_env_steps[index])
        returns = self._returns
        if loop._nested_reward:
            episode_return = tree.map_structure(lambda r: r[index].copy(), returns)
            tree.map_structure(lambda r: r.__setitem__(index, 0), returns)
        else:
            episode_return = returns[index].copy()
            returns[index] = 0
        result = {
            'episode_length': length,
            'episode_return': episode_return,
            'steps_per_second': length / duration if duration > 0 else 0.0,
            'episode_duration_seconds': duration,
            'select_action_seconds': self._select_seconds - self._start_select[index],
            'env_step_seconds': self._step_seconds - self._start_step[index],
            'env_index': index,
            'batch_steps_per_second': all_steps / duration if duration > 0 else 0.0,
        }
        result.update(loop._counter.increment(episodes=1, steps=pending))
        if self._observers is not None:
            for observer in self._observers[index]:
                result.update(observer.get_metrics())
        # The copy's next episode starts now; its reset is the next batch step.
        self._start_batch_step[index] = self._batch_steps + 1
        self._start_time[index] = now
        self._start_env_steps[index] = self._env_steps
        self._start_select[index] = self._select_seconds
        self._start_step[index] = self._step_seconds
        return result

    def run(self, num_episodes: Optional[int], num_steps: Optional[int]) -> int:
        loop = self._loop
        env, actor, logger = loop._environment, loop._actor, loop._logger
        should_update, nested_reward = loop._should_update, loop._nested_reward
        observers = self._observers
        clock = time.perf_counter
        episodes = steps = pending = 0
        while not ((num_episodes is not None and episodes >= num_episodes) or
                   (num_steps is not None and steps >= num_steps)):
            if self._timestep is None:
                self._start(clock)
            t0 = clock()
            if self._checked_actions:
                action = actor.select_action(self._timestep.observation)
            else:
                action = self._first_action()
            t1 = clock()
            timestep = env.step(action)
            t2 = clock()
            self._timestep = timestep
            self._select_seconds += t1 - t0
            self._step_seconds += t2 - t1
            actor.observe(action, next_timestep=timestep)
            if observers is not None:
                self._observe(action, timestep)
            if should_update:
                actor.update()
            step_type = timestep.step_type
            real = counting.count_env_steps(step_type)
            self._batch_steps += 1
            self._env_steps += real
            steps += real
            pending += real
            if nested_reward:
                tree.map_structure(np.add, self._returns, timestep.reward,
                                   self._returns)
            else:
                self._returns += timestep.reward
            finished = np.flatnonzero(step_type == LAST)
            if finished.size:
                now = clock()
                for index in finished.tolist():
                    logger.write(self._finish(index, now, pending))
                    pending = 0
                episodes += finished.size
        if pending:
            loop._counter.increment(steps=pending)
        return steps


def _copy_observer(observer: EnvLoopObserver) -> EnvLoopObserver:
    try:
        return copy.deepcopy(observer)
    except Exception as error:
        raise ValueError(
            f'A loop on a BatchedEnvironment gives each copy its own observers, '
            f'made with copy.deepcopy, which failed for {observer!r}: {error}'
        ) from error


def _rows(nest, n: int):
    if isinstance(nest, np.ndarray):
        return list(nest)
    leaves = tree.flatten(nest)
    return [tree.unflatten_as(nest, [np.asarray(leaf)[i] for leaf in leaves])
            for i in range(n)]
