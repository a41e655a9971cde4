"""Planners on a known tabular model: policy evaluation, policy and value iteration.

A `TabularModel` (e.g. `GridWorld.model`) gives P(s, a, s'), R(s, a) and the
environment's discount D(s, a) (0 on transitions that end the episode). As in the
agents, the planner's own `discount` g multiplies D, so the Bellman equations read

    Q(s, a) = R(s, a) + g * D(s, a) * sum_s' P(s, a, s') V(s').

Greedy policies break ties towards the lowest action index, after treating values
within `tie_tolerance` of the maximum as equal, so that value iteration and policy
iteration (whose values differ by rounding only) return the same policy.
"""

from typing import NamedTuple

import numpy as np

from troupe import errors
from troupe.agents.tabular import validation
from troupe.environments.gridworld import TabularModel

TIE_TOLERANCE = 1e-8


class PlanningResult(NamedTuple):
    """What a planner found: state values [S], action values [S, A], policy [S]."""
    values: np.ndarray
    q_values: np.ndarray
    policy: np.ndarray


def greedy_policy(q_values: np.ndarray, tie_tolerance: float = 0.0) -> np.ndarray:
    """The greedy action of each state.

    Args:
        q_values: [..., A] action values.
        tie_tolerance: actions within this of the best value count as tied; ties go
            to the lowest action index.
    """
    q = np.asarray(q_values)
    if tie_tolerance < 0:
        raise errors.InvalidInput(f'tie_tolerance must be >= 0, got {tie_tolerance!r}.')
    if tie_tolerance == 0:
        return np.argmax(q, axis=-1)
    near_best = q >= q.max(axis=-1, keepdims=True) - tie_tolerance
    return np.argmax(near_best, axis=-1)


def q_from_values(model: TabularModel, values: np.ndarray,
                  discount: float = 1.0) -> np.ndarray:
    """One-step look-ahead: Q(s, a) = R(s, a) + g D(s, a) sum_s' P(s, a, s') V(s')."""
    return model.rewards + discount * model.discounts * (model.transitions @ values)


def _check(tolerance: float, discount: float) -> float:
    if not tolerance > 0:
        raise errors.InvalidInput(f'tolerance must be positive, got {tolerance!r}.')
    return validation.check_unit_interval('discount', discount)


def _policy_probabilities(model: TabularModel, policy: np.ndarray) -> np.ndarray:
    """A [S] deterministic policy or [S, A] stochastic policy as [S, A] probabilities."""
    num_states, num_actions = model.rewards.shape
    policy = np.asarray(policy)
    if policy.shape == (num_states,):
        if (not np.issubdtype(policy.dtype, np.integer) or policy.min() < 0
                or policy.max() >= num_actions):
            raise errors.InvalidInput(f'A deterministic policy must hold action indices in '
                             f'[0, {num_actions}), got {policy!r}.')
        return np.eye(num_actions)[policy]
    if policy.shape == (num_states, num_actions):
        if (policy < 0).any() or not np.allclose(policy.sum(-1), 1.0):
            raise errors.InvalidInput('A stochastic policy must have non-negative rows that sum '
                             'to 1.')
        return policy.astype(np.float64)
    raise errors.InvalidInput(f'policy must have shape ({num_states},) or ({num_states}, '
                     f'{num_actions}), got {policy.shape}.')


def policy_evaluation(model: TabularModel, policy: np.ndarray, discount: float = 1.0,
                      tolerance: float = 1e-10,
                      max_iterations: int = 100_000) -> np.ndarray:
    """Iterative policy evaluation: the state values [S] of `policy` in `model`.

    Sweeps V <- sum_a pi(a|s) Q(s, a) (synchronously) until no value moves by
    `tolerance`.

    Args:
        policy: [S] actions or [S, A] action probabilities.

    Raises:
        ValueError: if the values have not converged within `max_iterations`
            (e.g. an undiscounted policy that never ends its episodes).
    """
    discount = _check(tolerance, discount)
    probabilities = _policy_probabilities(model, policy)
    values = np.zeros(model.rewards.shape[0], dtype=np.float64)
    for _ in range(max_iterations):
        new_values = (probabilities * q_from_values(model, values, discount)).sum(-1)
        if np.abs(new_values - values).max() < tolerance:
            return new_values
        values = new_values
    raise errors.InvalidInput(f'policy_evaluation did not converge to {tolerance!r} in '
                     f'{max_iterations} iterations.')


def value_iteration(model: TabularModel, tolerance: float = 1e-10,
                    max_iterations: int = 100_000, discount: float = 1.0) -> np.ndarray:
    """Returns the optimal action values [S, A] of `model`.

    Raises:
        ValueError: if the values have not converged within `max_iterations`
            (e.g. a model whose discounts are all 1 and has no terminal transition).
    """
    discount = _check(tolerance, discount)
    q = np.zeros_like(model.rewards, dtype=np.float64)
    for _ in range(max_iterations):
        new_q = q_from_values(model, q.max(axis=-1), discount)
        if np.abs(new_q - q).max() < tolerance:
            return new_q
        q = new_q
    raise errors.InvalidInput(f'value_iteration did not converge to {tolerance!r} in '
                     f'{max_iterations} iterations.')


def solve_value_iteration(model: TabularModel, discount: float = 1.0,
                          tolerance: float = 1e-10) -> PlanningResult:
    """Value iteration with its values and greedy policy (ties: see module doc)."""
    q = value_iteration(model, tolerance, discount=discount)
    return PlanningResult(q.max(axis=-1), q, greedy_policy(q, TIE_TOLERANCE))


def policy_iteration(model: TabularModel, discount: float = 1.0,
                     tolerance: float = 1e-10,
                     max_iterations: int = 1_000) -> PlanningResult:
    """Policy iteration from the all-zeros policy until the greedy policy is stable.

    Each round evaluates the policy (`policy_evaluation`) and replaces it with the
    greedy policy of its action values.

    Raises:
        ValueError: if the policy is still changing after `max_iterations` rounds.
    """
    _check(tolerance, discount)
    policy = np.zeros(model.rewards.shape[0], dtype=np.int64)
    for _ in range(max_iterations):
        values = policy_evaluation(model, policy, discount, tolerance)
        q = q_from_values(model, values, discount)
        new_policy = greedy_policy(q, TIE_TOLERANCE)
        if np.array_equal(new_policy, policy):
            return PlanningResult(values, q, policy)
        policy = new_policy
    raise errors.InvalidInput(f'policy_iteration did not settle in {max_iterations} rounds.')

