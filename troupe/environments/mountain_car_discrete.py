"""MountainCar with gymnasium's MountainCar-v0 rules: the discrete, sparse-reward
exploration classic.

The same valley and car as `MountainCarContinuous`, with three actions (push
left, none, push right: a force of (action − 1) · 0.001), −1 reward every step
and the flag at position 0.5; reaching it terminates the episode (discount 0).
Episodes are truncated (LAST, discount 1) after `max_episode_steps` (200, as
gymnasium's registration). Nothing but reaching the flag tells a learner it is
doing well, which ε-greedy exploration rarely does within an episode. As in
gymnasium, the state is kept in float64 and observed as float32, so the same
seed and actions give gymnasium's exact trajectory.
"""

import math
from typing import Optional

import dm_env
import numpy as np
from dm_env import specs

from troupe.environments import base, mountain_car

FORCE = 0.001
GRAVITY = 0.0025
GOAL_POSITION = 0.5


class MountainCar(mountain_car.MountainCarContinuous):
    """The discrete-action mountain car (gymnasium MountainCar-v0); see the
    module docstring. Its state, reset and rendering are `MountainCarContinuous`'s."""

    def __init__(self, max_episode_steps: Optional[int] = 200, goal_velocity: float = 0.0,
                 *, seed: Optional[int] = None):
        """Builds the environment.

        Args:
            max_episode_steps: truncation limit (None: no limit).
            goal_velocity: the minimum velocity at the flag for success.
            seed: seeds the initial position (uniform in [-0.6, -0.4], velocity 0).
        """
        super().__init__(max_episode_steps, goal_velocity, seed=seed)
        self._action_spec = specs.DiscreteArray(3, dtype=np.int64, name='action')

    def action_spec(self) -> specs.DiscreteArray:
        """0: push left, 1: no push, 2: push right."""
        return self._action_spec

    def _step(self, action) -> dm_env.TimeStep:
        position, velocity = self._position, self._velocity
        velocity += (int(action) - 1) * FORCE - GRAVITY * math.cos(3 * position)
        velocity = min(max(velocity, -mountain_car.MAX_SPEED), mountain_car.MAX_SPEED)
        position += velocity
        position = min(max(position, mountain_car.MIN_POSITION), mountain_car.MAX_POSITION)
        if position == mountain_car.MIN_POSITION and velocity < 0:
            velocity = 0.0
        self._position, self._velocity = position, velocity
        self._episode_steps += 1
        observation = np.array((position, velocity), dtype=np.float32)
        if position >= GOAL_POSITION and velocity >= self._goal_velocity:
            return base.timestep(base.LAST, -1.0, 0.0, observation)
        if self._episode_steps == self._max_episode_steps:
            return base.timestep(base.LAST, -1.0, 1.0, observation)
        return base.timestep(base.MID, -1.0, 1.0, observation)
