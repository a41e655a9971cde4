"""A small, fully scripted dm_env environment for loop, actor and agent tests.

Episode k has length `episode_lengths[k % len]`; observations count steps so tests
can tell exactly which step they saw.
"""

from typing import Sequence

import dm_env
import numpy as np
from dm_env import specs


class ScriptedEnvironment(dm_env.Environment):
    """Observation = [episode index, step index] as float32; reward = step index."""

    def __init__(self, episode_lengths: Sequence[int] = (3,),
                 final_discount: float = 0.0, nested_reward: bool = False,
                 num_actions: int = 2):
        self._lengths = list(episode_lengths)
        self._final_discount = final_discount
        self._nested_reward = nested_reward
        self._num_actions = num_actions
        self._episode = -1
        self._t = 0
        self.actions = []

    def _obs(self):
        return np.array([self._episode, self._t], dtype=np.float32)

    def _reward(self, value: float):
        if self._nested_reward:
            return {'a': np.float32(value), 'b': np.float32(2 * value)}
        return np.float32(value)

    def reset(self) -> dm_env.TimeStep:
        self._episode += 1
        self._t = 0
        return dm_env.restart(self._obs())

    def step(self, action) -> dm_env.TimeStep:
        self.actions.append(action)
        self._t += 1
        length = self._lengths[self._episode % len(self._lengths)]
        reward = self._reward(self._t)
        if self._t >= length:
            if self._final_discount == 0.0:
                return dm_env.termination(reward, self._obs())
            return dm_env.truncation(reward, self._obs(),
                                     discount=np.float32(self._final_discount))
        return dm_env.transition(reward, self._obs())

    def observation_spec(self):
        return specs.Array((2,), np.float32, name='observation')

    def action_spec(self):
        return specs.DiscreteArray(self._num_actions, name='action')

    def reward_spec(self):
        if self._nested_reward:
            return {'a': specs.Array((), np.float32), 'b': specs.Array((), np.float32)}
        return specs.Array((), np.float32, name='reward')
