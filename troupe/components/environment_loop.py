"""EnvironmentLoop: runs an Actor in a dm_env environment, counting and logging."""

import operator
import time
from typing import Optional, Protocol, Sequence

import dm_env
import numpy as np
import tree

from troupe import core
from troupe.components import counting, loggers


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

    def _add_rewards(self, total, reward):
        if reward is None:
            return total
        if self._nested_reward:
            return tree.map_structure(operator.add, total, reward)
        return total + reward

    def run_episode(self) -> dict:
        """Runs one episode and returns (and logs) its results."""
        env, actor, observers = self._environment, self._actor, self._observers
        should_update = self._should_update
        clock = time.perf_counter
        episode_start = clock()
        select_seconds = 0.0
        step_seconds = 0.0
        episode_steps = 0
        episode_return = self._reward_zeros

        timestep = env.reset()
        actor.observe_first(timestep)
        for observer in observers:
            observer.observe_first(env, timestep)

        while not timestep.last():
            t0 = clock()
            action = actor.select_action(timestep.observation)
            t1 = clock()
            timestep = env.step(action)
            t2 = clock()
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
        """
        if num_episodes is not None and num_steps is not None:
            raise ValueError(
                f'Give num_episodes or num_steps, not both (got num_episodes='
                f'{num_episodes}, num_steps={num_steps}).')
        for name, value in (('num_episodes', num_episodes), ('num_steps', num_steps)):
            if value is not None and value < 0:
                raise ValueError(f'{name} must be >= 0, got {value}.')

        episodes = steps = 0
        while not ((num_episodes is not None and episodes >= num_episodes) or
                   (num_steps is not None and steps >= num_steps)):
            result = self.run_episode()
            episodes += 1
            steps += result['episode_length']
            self._logger.write(result)
        return steps
