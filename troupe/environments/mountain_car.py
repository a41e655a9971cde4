"""MountainCarContinuous with gymnasium's MountainCarContinuous-v0 rules.

An under-powered car in a valley must rock back and forth to reach the flag at
position 0.45. The action is an engine force in [-1, 1]; each step costs
0.1 * force^2 and reaching the flag pays +100 and terminates (discount 0).
Episodes are truncated (LAST, discount 1) after `max_episode_steps` (999).
Like gymnasium, the state is stored as float32 after each step, so the same
seed and actions give gymnasium's exact trajectory.
"""

import math
from typing import Optional

import dm_env
import numpy as np
from dm_env import specs

from troupe.environments import arguments, base, rendering

MIN_POSITION = -1.2
MAX_POSITION = 0.6
MAX_SPEED = 0.07
GOAL_POSITION = 0.45
POWER = 0.0015


def height(position):
    """The valley's height at `position` (used for rendering)."""
    return np.sin(3 * np.asarray(position)) * 0.45 + 0.55


class MountainCarContinuous(base.Environment):
    """The continuous-action mountain car (gymnasium MountainCarContinuous-v0)."""

    _STATE_ATTRIBUTES = ('_position', '_velocity', '_episode_steps')

    def __init__(self, max_episode_steps: Optional[int] = 999, goal_velocity: float = 0.0,
                 *, seed: Optional[int] = None):
        """Builds the environment.

        Args:
            max_episode_steps: truncation limit (None: no limit).
            goal_velocity: the minimum velocity at the flag for success.
            seed: seeds the initial position (uniform in [-0.6, -0.4], velocity 0).
        """
        super().__init__(seed)
        max_episode_steps = arguments.check_int('max_episode_steps', max_episode_steps, 1,
                                                optional=True)
        self._max_episode_steps = max_episode_steps or 0
        self._goal_velocity = arguments.check_number('goal_velocity', goal_velocity)
        self._position = 0.0
        self._velocity = 0.0
        self._episode_steps = 0
        self._observation_spec = specs.BoundedArray(
                (2,), np.float32, np.array([MIN_POSITION, -MAX_SPEED], np.float32),
                np.array([MAX_POSITION, MAX_SPEED], np.float32), name='observation')
        self._action_spec = specs.BoundedArray((1,), np.float32, -1.0, 1.0, name='action')

    def _state_config(self) -> dict:
        return {'max_episode_steps': self._max_episode_steps,
                'goal_velocity': self._goal_velocity}

    def observation_spec(self) -> specs.BoundedArray:
        """Position and velocity."""
        return self._observation_spec

    def action_spec(self) -> specs.BoundedArray:
        """The engine force, shape (1,), in [-1, 1]."""
        return self._action_spec

    @property
    def state(self) -> np.ndarray:
        """(position, velocity)."""
        return np.array((self._position, self._velocity), dtype=np.float64)

    @state.setter
    def state(self, value) -> None:
        value = np.asarray(value, dtype=np.float64)
        if value.shape != (2,):
            raise ValueError(f'MountainCar state must have shape (2,), got {value.shape}.')
        self._position, self._velocity = value.tolist()

    def _reset(self) -> dm_env.TimeStep:
        # gymnasium keeps the first state in float64 and rounds it only for the
        # observation; later states are float32.
        self._position = float(self._rng.uniform(low=-0.6, high=-0.4))
        self._velocity = 0.0
        self._episode_steps = 0
        observation = np.array((self._position, self._velocity), dtype=np.float32)
        return base.timestep(base.FIRST, None, None, observation)

    def _step(self, action: np.ndarray) -> dm_env.TimeStep:
        force = float(action[0])
        position, velocity = self._position, self._velocity
        velocity += force * POWER - 0.0025 * math.cos(3 * position)
        velocity = min(max(velocity, -MAX_SPEED), MAX_SPEED)
        position += velocity
        position = min(max(position, MIN_POSITION), MAX_POSITION)
        if position == MIN_POSITION and velocity < 0:
            velocity = 0.0
        terminated = position >= GOAL_POSITION and velocity >= self._goal_velocity
        reward = (100.0 if terminated else 0.0) - math.pow(force, 2) * 0.1
        observation = np.array((position, velocity), dtype=np.float32)
        self._position, self._velocity = observation.tolist()
        self._episode_steps += 1
        if terminated:
            return base.timestep(base.LAST, reward, 0.0, observation)
        if self._episode_steps == self._max_episode_steps:
            return base.timestep(base.LAST, reward, 1.0, observation)
        return base.timestep(base.MID, reward, 1.0, observation)

    def render(self, height_pixels: int = 200, width: int = 300) -> np.ndarray:
        """Draws the valley, the flag and the car."""
        canvas = rendering.Canvas(height_pixels, width)
        span = MAX_POSITION - MIN_POSITION

        def to_pixels(position, y):
            return (height_pixels * (0.95 - 0.75 * y), (position - MIN_POSITION) / span * width)

        positions = np.linspace(MIN_POSITION, MAX_POSITION, 60)
        points = [to_pixels(p, h) for p, h in zip(positions, height(positions))]
        for (y0, x0), (y1, x1) in zip(points[:-1], points[1:]):
            canvas.line(y0, x0, y1, x1, 2, rendering.BLACK)
        flag_y, flag_x = to_pixels(GOAL_POSITION, float(height(GOAL_POSITION)))
        canvas.line(flag_y, flag_x, flag_y - 30, flag_x, 2, rendering.DARK_GREY)
        canvas.rectangle(flag_y - 30, flag_x, flag_y - 20, flag_x + 15, rendering.YELLOW)
        car_y, car_x = to_pixels(self._position, float(height(self._position)))
        canvas.circle(car_y - 8, car_x, 8, rendering.BLUE)
        return canvas.pixels
