"""CartPole with gymnasium's CartPole-v1 physics, termination and 500-step limit.

A pole is hinged on a cart that moves along a frictionless track; the agent
pushes the cart left (action 0) or right (action 1) with a fixed force. Every
step pays +1 (the terminating one too); the episode terminates (discount 0) when
the pole tilts past 12 degrees or the cart leaves [-2.4, 2.4], and is truncated
(LAST with discount 1) after `max_episode_steps`. Seeded with the same seed as
gymnasium's `reset(seed=...)`, it starts from the same state and then follows it
step for step: the Euler integration below does gymnasium's float64 arithmetic
in the same order, with plain Python floats for speed.
"""

import math
from typing import Optional

import dm_env
import numpy as np
from dm_env import specs

from troupe.environments import arguments, base, rendering, validation

GRAVITY = 9.8
MASS_CART = 1.0
MASS_POLE = 0.1
TOTAL_MASS = MASS_POLE + MASS_CART
HALF_LENGTH = 0.5  # Half the pole's length.
POLE_MASS_LENGTH = MASS_POLE * HALF_LENGTH
FORCE_MAGNITUDE = 10.0
TAU = 0.02  # Seconds between state updates.
THETA_THRESHOLD = 12 * 2 * math.pi / 360
X_THRESHOLD = 2.4

_FOUR_THIRDS = 4.0 / 3.0
_float32 = np.float32
_array = np.array


class CartPole(base.TupleStateEnvironment):
    """The classic cart-pole balancing task (gymnasium CartPole-v1 dynamics)."""

    STATE_SIZE = 4  # state = (x, x_dot, theta, theta_dot)
    _STATE_ATTRIBUTES = ('_state', '_episode_steps')

    def __init__(self, max_episode_steps: Optional[int] = 500, *,
                 seed: Optional[int] = None):
        """Builds the environment.

        Args:
            max_episode_steps: truncation limit (None: no limit).
            seed: seeds the initial states (uniform in [-0.05, 0.05]^4).
        """
        super().__init__(seed)
        max_episode_steps = arguments.check_int('max_episode_steps', max_episode_steps, 1,
                                                optional=True)
        self._max_episode_steps = max_episode_steps or 0
        self._state = (0.0, 0.0, 0.0, 0.0)
        self._episode_steps = 0
        self._observation_spec = specs.Array((4,), np.float32, name='observation')
        self._action_spec = specs.DiscreteArray(2, dtype=np.int64, name='action')

    def _state_config(self) -> dict:
        return {'max_episode_steps': self._max_episode_steps}

    def observation_spec(self) -> specs.Array:
        """Cart position, cart velocity, pole angle, pole angular velocity."""
        return self._observation_spec

    def action_spec(self) -> specs.DiscreteArray:
        """0 pushes the cart left, 1 pushes it right."""
        return self._action_spec

    def _reset(self) -> dm_env.TimeStep:
        self._state = tuple(self._rng.uniform(low=-0.05, high=0.05, size=(4,)).tolist())
        self._episode_steps = 0
        return base.timestep(base.FIRST, None, None, _array(self._state, _float32))

    def _step(self, action: int) -> dm_env.TimeStep:
        return self.step(action)

    def step(self, action) -> dm_env.TimeStep:
        """Pushes the cart; see `base.Environment.step` for the episode rules."""
        if action.__class__ is not int or not 0 <= action <= 1:
            action = validation.check_discrete_action(action, self._action_spec)
        if self._reset_next_step:
            return self.reset()
        x, x_dot, theta, theta_dot = self._state
        force = FORCE_MAGNITUDE if action == 1 else -FORCE_MAGNITUDE
        costheta = math.cos(theta)
        sintheta = math.sin(theta)
        temp = (force + POLE_MASS_LENGTH * (theta_dot * theta_dot) * sintheta) / TOTAL_MASS
        thetaacc = (GRAVITY * sintheta - costheta * temp) / (
                HALF_LENGTH * (_FOUR_THIRDS - MASS_POLE * (costheta * costheta) / TOTAL_MASS))
        xacc = temp - POLE_MASS_LENGTH * thetaacc * costheta / TOTAL_MASS
        x = x + TAU * x_dot
        x_dot = x_dot + TAU * xacc
        theta = theta + TAU * theta_dot
        theta_dot = theta_dot + TAU * thetaacc
        self._state = state = (x, x_dot, theta, theta_dot)
        self._episode_steps += 1
        observation = _array(state, _float32)
        if (x < -X_THRESHOLD or x > X_THRESHOLD
                or theta < -THETA_THRESHOLD or theta > THETA_THRESHOLD):
            self._reset_next_step = True
            return base.timestep(base.LAST, 1.0, 0.0, observation)
        if self._episode_steps == self._max_episode_steps:
            self._reset_next_step = True
            return base.timestep(base.LAST, 1.0, 1.0, observation)
        return base.timestep(base.MID, 1.0, 1.0, observation)

    def render(self, height: int = 200, width: int = 300) -> np.ndarray:
        """Draws the track, the cart and the pole."""
        canvas = rendering.Canvas(height, width)
        scale = width / (2 * X_THRESHOLD * 1.25)
        x, _, theta, _ = self._state
        track_y = height * 0.75
        canvas.line(track_y, 0, track_y, width, 2, rendering.BLACK)
        cart_x = width / 2 + x * scale
        cart_w, cart_h = 0.5 * scale, 0.3 * scale
        canvas.rectangle(track_y - cart_h, cart_x - cart_w / 2, track_y, cart_x + cart_w / 2,
                         rendering.DARK_GREY)
        pivot_y = track_y - cart_h
        pole = 2 * HALF_LENGTH * scale
        canvas.line(pivot_y, cart_x, pivot_y - pole * math.cos(theta),
                    cart_x + pole * math.sin(theta), max(2.0, 0.1 * scale), rendering.BROWN)
        canvas.circle(pivot_y, cart_x, max(2.0, 0.05 * scale), rendering.BLUE)
        return canvas.pixels
