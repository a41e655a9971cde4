"""TD(0) evaluation of a given policy, acting with that policy."""

from typing import Optional

import numpy as np

from troupe import errors
from troupe import specs, types
from troupe.agents.tabular import base


class TDPolicyEvaluation(base.TabularActor):
    """Learns V^pi by TD(0) while acting with `policy`; Q^pi rides along.

    V(s) <- V(s) + alpha (r + g d V(s') - V(s)), and, since Q^pi(s, a) =
    E[r + g d V^pi(s')], Q(s, a) <- Q(s, a) + alpha (r + g d V(s') - Q(s, a)) with
    the same target (computed before V(s) moves). `greedy_policy()` is then one step
    of policy improvement.
    """

    def __init__(self,
                 environment_spec: specs.EnvironmentSpec,
                 policy: np.ndarray,
                 step_size: float = 0.1,
                 discount: float = 1.0,
                 seed: Optional[int] = None):
        """Builds the evaluator.

        Args:
            environment_spec: discrete observations and actions.
            policy: [S] actions, or [S, A] action probabilities, to evaluate.
            step_size: alpha in (0, 1].
            discount: the agent's discount g in [0, 1].
            seed: seeds the sampling of a stochastic policy.
        """
        super().__init__(environment_spec, epsilon=0.0, step_size=step_size,
                         discount=discount, seed=seed)
        self._values = np.zeros(self._num_states, dtype=np.float64)
        self._deterministic, self._policy = self._check_policy(policy)
        self._cumulative = None if self._deterministic else np.cumsum(self._policy, -1)
        self._rng = np.random.default_rng(self._seeds[1])

    def _check_policy(self, policy):
        policy = np.asarray(policy)
        states, actions = self._num_states, self._num_actions
        if policy.shape == (states,):
            if (not np.issubdtype(policy.dtype, np.integer) or policy.min() < 0
                    or policy.max() >= actions):
                raise errors.InvalidInput(f'A deterministic policy must hold action indices in '
                                 f'[0, {actions}), got {policy!r}.')
            return True, policy.astype(np.int64).tolist()
        if policy.shape == (states, actions):
            if (policy < 0).any() or not np.allclose(policy.sum(-1), 1.0):
                raise errors.InvalidInput('A stochastic policy must have non-negative rows that '
                                 'sum to 1.')
            return False, policy.astype(np.float64)
        raise errors.InvalidInput(f'policy must have shape ({states},) or ({states}, {actions}), '
                         f'got {policy.shape}.')

    @property
    def state_values(self) -> np.ndarray:
        """V^pi estimates [S] (a read-only view of the live table)."""
        view = self._values.view()
        view.flags.writeable = False
        return view

    def select_action(self, observation: types.NestedArray) -> int:
        state = int(observation)
        if self._deterministic:
            return self._policy[state]
        draw = self._rng.random()
        action = int(np.searchsorted(self._cumulative[state], draw, side='right'))
        return min(action, self._num_actions - 1)

    def _learn(self, state, action, reward, discount, next_state, last):
        values, q, alpha = self._values, self._q, self._step_size
        target = reward + discount * values[next_state]
        values[state] += alpha * (target - values[state])
        q[state, action] += alpha * (target - q[state, action])
