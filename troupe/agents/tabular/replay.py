"""Q-learning with replay: after each real step, re-learn from random past steps."""

from typing import Optional, Union

import numpy as np

from troupe import specs
from troupe.agents.tabular import exploration, td, validation


class TransitionBuffer:
    """A fixed-capacity ring buffer of (s, a, r, g*d, s') in plain numpy arrays."""

    def __init__(self, capacity: int):
        self._capacity = validation.check_positive_int('replay_capacity', capacity)
        self._states = np.zeros(capacity, dtype=np.int64)
        self._actions = np.zeros(capacity, dtype=np.int64)
        self._rewards = np.zeros(capacity, dtype=np.float64)
        self._discounts = np.zeros(capacity, dtype=np.float64)
        self._next_states = np.zeros(capacity, dtype=np.int64)
        self._size = 0
        self._next = 0

    def __len__(self) -> int:
        return self._size

    def add(self, state: int, action: int, reward: float, discount: float,
            next_state: int) -> None:
        """Stores one transition, overwriting the oldest when full."""
        i = self._next
        self._states[i] = state
        self._actions[i] = action
        self._rewards[i] = reward
        self._discounts[i] = discount
        self._next_states[i] = next_state
        self._next = (i + 1) % self._capacity
        self._size = min(self._size + 1, self._capacity)

    def gather(self, indices: np.ndarray):
        """Lists of states, actions, rewards, discounts and next states at `indices`."""
        return (self._states[indices].tolist(), self._actions[indices].tolist(),
                self._rewards[indices].tolist(), self._discounts[indices].tolist(),
                self._next_states[indices].tolist())


class QLearningWithReplay(td.QLearning):
    """Q-learning that also replays `num_offline_updates` stored transitions per step.

    Each `observe` makes the ordinary Q-learning update, stores the transition,
    then applies the same update to `num_offline_updates` transitions drawn
    uniformly (with replacement) from the buffer, the new one included. Reusing
    past experience this way (as in Dyna-Q with a replayed, not learned, model)
    spreads values through the table in far fewer environment steps.
    """

    def __init__(self,
                 environment_spec: specs.EnvironmentSpec,
                 epsilon: exploration.EpsilonLike = 0.1,
                 step_size: float = 0.1,
                 discount: float = 1.0,
                 num_offline_updates: int = 10,
                 replay_capacity: int = 100_000,
                 initial_q_values: Union[float, np.ndarray, None] = None,
                 seed: Optional[int] = None):
        super().__init__(environment_spec, epsilon=epsilon, step_size=step_size,
                         discount=discount, initial_q_values=initial_q_values,
                         seed=seed)
        self._num_offline_updates = validation.check_positive_int(
                'num_offline_updates', num_offline_updates, minimum=0)
        self._buffer = TransitionBuffer(replay_capacity)
        self._replay_rng = np.random.default_rng(self._seeds[1])

    @property
    def num_offline_updates(self) -> int:
        return self._num_offline_updates

    @property
    def buffer(self) -> TransitionBuffer:
        return self._buffer

    def _learn(self, state, action, reward, discount, next_state, last):
        super()._learn(state, action, reward, discount, next_state, last)
        self._buffer.add(state, action, reward, discount, next_state)
        if not self._num_offline_updates:
            return
        indices = self._replay_rng.integers(len(self._buffer),
                                            size=self._num_offline_updates)
        q, alpha = self._q, self._step_size
        for s, a, r, d, s2 in zip(*self._buffer.gather(indices)):
            target = r + d * q[s2].max()
            q[s, a] += alpha * (target - q[s, a])
