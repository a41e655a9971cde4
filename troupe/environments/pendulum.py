"""Pendulum with gymnasium's Pendulum-v1 physics, costs and 200-step limit.

The agent applies a torque in [-2, 2] to swing a pendulum up and hold it
upright. Observations are (cos theta, sin theta, theta_dot); the reward is
-(theta^2 + 0.1 theta_dot^2 + 0.001 torque^2) with theta normalised to
[-pi, pi). Episodes never terminate; they are truncated (LAST with discount 1)
after `max_episode_steps`. The same seed gives gymnasium's initial state, and
the update below repeats gymnasium's arithmetic so that the two agree exactly.
"""

import math
from typing import Optional

import dm_env
import numpy as np
from dm_env import specs

from troupe.environments import arguments, base, rendering

MAX_SPEED = 8.0
MAX_TORQUE = 2.0
DT = 0.05
MASS = 1.0
LENGTH = 1.0


def angle_normalize(angle: float) -> float:
    """Maps an angle to [-pi, pi)."""
    return ((angle + math.pi) % (2 * math.pi)) - math.pi


class Pendulum(base.TupleStateEnvironment):
    """The classic torque-limited pendulum swing-up (gymnasium Pendulum-v1)."""

    STATE_SIZE = 2  # state = (theta, theta_dot)
    _STATE_ATTRIBUTES = ('_state', '_last_torque', '_episode_steps')

    def __init__(self, max_episode_steps: Optional[int] = 200, gravity: float = 10.0, *,
                 seed: Optional[int] = None):
        """Builds the environment.

        Args:
            max_episode_steps: truncation limit (None: no limit).
            gravity: the acceleration of gravity g.
            seed: seeds the initial states (theta in [-pi, pi], theta_dot in [-1, 1]).
        """
        super().__init__(seed)
        max_episode_steps = arguments.check_int('max_episode_steps', max_episode_steps, 1,
                                                optional=True)
        self._max_episode_steps = max_episode_steps or 0
        self._gravity = arguments.check_number('gravity', gravity)
        self._state = (0.0, 0.0)
        self._last_torque = None
        self._episode_steps = 0
        high = np.array([1.0, 1.0, MAX_SPEED], dtype=np.float32)
        self._observation_spec = specs.BoundedArray((3,), np.float32, -high, high,
                                                    name='observation')
        self._action_spec = specs.BoundedArray((1,), np.float32, -MAX_TORQUE, MAX_TORQUE,
                                               name='action')

    def _state_config(self) -> dict:
        return {'max_episode_steps': self._max_episode_steps, 'gravity': self._gravity}

    def observation_spec(self) -> specs.BoundedArray:
        """cos(theta), sin(theta), theta_dot."""
        return self._observation_spec

    def action_spec(self) -> specs.BoundedArray:
        """The torque, shape (1,), in [-2, 2]."""
        return self._action_spec


    def _observation(self) -> np.ndarray:
        theta, theta_dot = self._state
        return np.array((math.cos(theta), math.sin(theta), theta_dot), dtype=np.float32)

    def _reset(self) -> dm_env.TimeStep:
        self._state = tuple(self._rng.uniform(low=(-math.pi, -1.0),
                                              high=(math.pi, 1.0)).tolist())
        self._last_torque = None
        self._episode_steps = 0
        return base.timestep(base.FIRST, None, None, self._observation())

    def _step(self, action: np.ndarray) -> dm_env.TimeStep:
        theta, theta_dot = self._state
        # A float32 numpy scalar, as in gymnasium: `torque ** 2` and `3.0 * torque`
        # then round exactly as gymnasium's do.
        torque = action[0]
        self._last_torque = float(torque)
        normalized = angle_normalize(theta)
        costs = (normalized * normalized + 0.1 * (theta_dot * theta_dot)
                 + 0.001 * (torque ** 2))
        g = self._gravity
        new_theta_dot = theta_dot + (3 * g / (2 * LENGTH) * math.sin(theta)
                                     + 3.0 / (MASS * LENGTH ** 2) * torque) * DT
        new_theta_dot = float(min(max(new_theta_dot, -MAX_SPEED), MAX_SPEED))
        self._state = (theta + new_theta_dot * DT, new_theta_dot)
        self._episode_steps += 1
        step_type = (base.LAST if self._episode_steps == self._max_episode_steps
                     else base.MID)
        return base.timestep(step_type, -float(costs), 1.0, self._observation())

    def render(self, size: int = 200) -> np.ndarray:
        """Draws the pendulum (upright is theta = 0) and the last torque."""
        canvas = rendering.Canvas(size, size)
        centre = size / 2
        rod = size * 0.4
        theta = self._state[0]
        tip_y = centre - rod * math.cos(theta)
        tip_x = centre + rod * math.sin(theta)
        canvas.line(centre, centre, tip_y, tip_x, size * 0.08, rendering.RED)
        canvas.circle(centre, centre, size * 0.03, rendering.BLACK)
        if self._last_torque:
            length = size * 0.2 * self._last_torque / MAX_TORQUE
            canvas.line(size * 0.92, centre, size * 0.92, centre + length, size * 0.03,
                        rendering.BLUE)
        return canvas.pixels
