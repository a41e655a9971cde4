"""A k-armed bandit: a row of slot machines with unknown payout probabilities.

The smallest exploration/exploitation trade-off: each episode is one pull of
one arm (action = arm index), paying 1 with that arm's probability and 0
otherwise, then terminating. An agent must try arms to learn which pays most
(explore) while pulling the best one found so far (exploit). The environment
keeps the expected regret, sum over pulls of (p_best - p_pulled), to score it.
"""

from typing import Optional, Sequence

import dm_env
import numpy as np
from dm_env import specs

from troupe import errors
from troupe.environments import arguments, base, rendering


class Bandit(base.Environment):
    """A Bernoulli k-armed bandit with a constant observation."""

    def __init__(self, num_arms: int = 10,
                 probabilities: Optional[Sequence[float]] = None, *,
                 seed: Optional[int] = None):
        """Builds the slot machines.

        Args:
            num_arms: k, the number of arms (ignored if `probabilities` is given).
            probabilities: each arm's payout probability, in [0, 1]; if None they
                are drawn uniformly from [0, 1) with `seed`.
            seed: seeds the probabilities (when drawn) and the payouts.
        """
        super().__init__(seed)
        if probabilities is None:
            num_arms = arguments.check_int('num_arms', num_arms, 1)
            probabilities = self._rng.uniform(size=num_arms)
        given = probabilities
        try:
            probabilities = np.array(probabilities, dtype=np.float64)
        except (TypeError, ValueError):
            probabilities = np.array([np.nan])  # Refused below.
        if (isinstance(given, (str, bytes)) or probabilities.ndim != 1
                or probabilities.size < 1
                or not ((probabilities >= 0) & (probabilities <= 1)).all()):
            raise errors.InvalidInput(f'probabilities must be a non-empty list of values '
                                      f'in [0, 1], got {given!r}.')
        self._probabilities = probabilities
        self._num_arms = probabilities.size
        self._best = float(probabilities.max())
        self._pulls = np.zeros(self._num_arms, dtype=np.int64)
        self._payouts = np.zeros(self._num_arms, dtype=np.float64)
        self._last_arm = None
        self._regret = 0.0
        self._observation_spec = specs.Array((1,), np.float32, name='observation')
        self._action_spec = specs.DiscreteArray(self._num_arms, dtype=np.int64,
                                                name='arm')

    def observation_spec(self) -> specs.Array:
        """A constant [1.0]: the bandit has no state."""
        return self._observation_spec

    def action_spec(self) -> specs.DiscreteArray:
        return self._action_spec

    @property
    def probabilities(self) -> np.ndarray:
        return self._probabilities.copy()

    @property
    def best_arm(self) -> int:
        return int(np.argmax(self._probabilities))

    @property
    def regret(self) -> float:
        """Expected regret so far: sum over pulls of p_best - p_pulled."""
        return self._regret

    @property
    def pulls(self) -> np.ndarray:
        """How many times each arm was pulled."""
        return self._pulls.copy()

    def _reset(self) -> dm_env.TimeStep:
        return base.timestep(base.FIRST, None, None, np.ones(1, dtype=np.float32))

    def _step(self, action: int) -> dm_env.TimeStep:
        reward = 1.0 if self._rng.random() < self._probabilities[action] else 0.0
        self._pulls[action] += 1
        self._payouts[action] += reward
        self._last_arm = action
        self._regret += self._best - self._probabilities[action]
        return base.timestep(base.LAST, reward, 0.0, np.ones(1, dtype=np.float32))

    def render(self, height: int = 120, bar_width: int = 20) -> np.ndarray:
        """One bar per arm: its observed payout rate; the last pulled arm in orange."""
        canvas = rendering.Canvas(height, bar_width * self._num_arms)
        rates = self._payouts / np.maximum(self._pulls, 1)
        for arm, rate in enumerate(rates):
            color = rendering.ORANGE if arm == self._last_arm else rendering.BLUE
            left = arm * bar_width + 2
            canvas.rectangle(0, left, height, left + bar_width - 5, rendering.LIGHT_GREY)
            canvas.rectangle(height * (1 - rate), left, height, left + bar_width - 5, color)
        return canvas.pixels
