"""Epsilon-greedy exploration with a fixed or scheduled epsilon, from a seeded rng."""

from typing import Optional, Union

import numpy as np

from troupe import errors
from troupe.agents.tabular import validation
from troupe.components.schedules import (  # noqa: F401  (re-exported)
    ConstantSchedule, LinearSchedule, Schedule)


EpsilonLike = Union[float, Schedule]


class EpsilonGreedy:
    """Picks a uniformly random action with probability epsilon, else the greedy one.

    The greedy action is the lowest index among the best values. Each call counts
    one step of the schedule. A schedule's values are checked as they are used (any
    value outside [0, 1] raises); fixed values and `LinearSchedule` ends are checked
    at construction.
    """

    def __init__(self, num_actions: int, epsilon: EpsilonLike,
                 seed: Optional[Union[int, np.random.SeedSequence]] = None):
        self._num_actions = validation.check_positive_int('num_actions', num_actions)
        if isinstance(epsilon, Schedule):
            if isinstance(epsilon, LinearSchedule):
                validation.check_unit_interval('epsilon schedule start', epsilon.start)
                validation.check_unit_interval('epsilon schedule end', epsilon.end)
            self._schedule = epsilon
            self._fixed = None
        else:
            self._fixed = validation.check_unit_interval('epsilon', epsilon)
            self._schedule = ConstantSchedule(self._fixed)
        self._rng = np.random.default_rng(seed)
        self._steps = 0

    @property
    def epsilon(self) -> float:
        """Epsilon for the next call."""
        if self._fixed is not None:
            return self._fixed
        value = self._schedule(self._steps)
        if not 0.0 <= value <= 1.0:
            raise errors.InvalidInput(f'epsilon schedule {self._schedule!r} gave {value!r} at '
                             f'step {self._steps}; expected a value in [0, 1].')
        return value

    @property
    def steps(self) -> int:
        """How many actions have been picked."""
        return self._steps

    def probabilities(self, q_row: np.ndarray) -> np.ndarray:
        """The [A] probabilities of each action for the next call."""
        epsilon = self.epsilon
        probs = np.full(self._num_actions, epsilon / self._num_actions)
        probs[int(np.argmax(q_row))] += 1.0 - epsilon
        return probs

    def __call__(self, q_row: np.ndarray) -> int:
        """Picks an action from the action values `q_row` of one state."""
        epsilon = self.epsilon
        self._steps += 1
        if epsilon and self._rng.random() < epsilon:
            return int(self._rng.integers(self._num_actions))
        return int(q_row.argmax())
