"""One-step temporal-difference control: Q-learning, SARSA and expected SARSA.

Each updates Q(s, a) <- Q(s, a) + alpha * (target - Q(s, a)) inside `observe`, with
the bootstrap weighted by g * d (see `base`):

- Q-learning:      target = r + g d max_a' Q(s', a')
- SARSA:           target = r + g d Q(s', a'), a' the action taken next
- expected SARSA:  target = r + g d sum_a' pi(a'|s') Q(s', a'), pi epsilon-greedy
"""

from typing import Optional

import dm_env

from troupe import types
from troupe.agents.tabular import base


class QLearning(base.TabularActor):
    """Off-policy TD control: bootstraps from the greedy value of the next state."""

    def _learn(self, state, action, reward, discount, next_state, last):
        q = self._q
        target = reward + discount * q[next_state].max()
        q[state, action] += self._step_size * (target - q[state, action])


class ExpectedSarsa(base.TabularActor):
    """TD control bootstrapping from the epsilon-greedy policy's expected next value."""

    def _learn(self, state, action, reward, discount, next_state, last):
        q = self._q
        row = q[next_state]
        epsilon = self._behaviour.epsilon
        expected = (1.0 - epsilon) * row.max() + epsilon * row.sum() / self._num_actions
        target = reward + discount * expected
        q[state, action] += self._step_size * (target - q[state, action])


class Sarsa(base.TabularActor):
    """On-policy TD control: bootstraps from the action it will take next.

    SARSA needs a' before it can update, so `observe` picks a' (epsilon-greedy on
    the table before the update, as in Sutton & Barto) and the following
    `select_action` on that state returns it. At the end of an episode the a' picked
    for the bootstrap is discarded by the next `observe_first`.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._next_action: Optional[int] = None

    def select_action(self, observation: types.NestedArray) -> int:
        state = int(observation)
        if self._next_action is not None and state == self._state:
            action, self._next_action = self._next_action, None
            return action
        self._next_action = None
        return self._behaviour(self._q[state])

    def observe_first(self, timestep: dm_env.TimeStep):
        super().observe_first(timestep)
        self._next_action = None

    def _learn(self, state, action, reward, discount, next_state, last):
        q = self._q
        next_action = self._behaviour(q[next_state])
        target = reward + discount * q[next_state, next_action]
        q[state, action] += self._step_size * (target - q[state, action])
        self._next_action = None if last else next_action
