"""Exact planning on a tabular model, e.g. to check what an agent should learn.

`value_iteration` solves Q(s, a) = R(s, a) + D(s, a) * sum_s' P(s, a, s') max_a' Q(s', a')
for a `TabularModel` (such as `GridWorld.model`), where D already holds the
environment's discount (0 on transitions that end the episode).
"""

import numpy as np

from troupe.environments.gridworld import TabularModel


def value_iteration(model: TabularModel, tolerance: float = 1e-10,
                    max_iterations: int = 100_000) -> np.ndarray:
    """Returns the optimal action values [S, A] of `model`.

    Raises:
        ValueError: if the values have not converged within `max_iterations`
            (e.g. a model whose discounts are all 1 and has no terminal transition).
    """
    if tolerance <= 0:
        raise ValueError(f'tolerance must be positive, got {tolerance!r}.')
    q = np.zeros_like(model.rewards, dtype=np.float64)
    for _ in range(max_iterations):
        values = q.max(axis=-1)
        new_q = model.rewards + model.discounts * (model.transitions @ values)
        if np.abs(new_q - q).max() < tolerance:
            return new_q
        q = new_q
    raise ValueError(f'value_iteration did not converge to {tolerance!r} in '
                     f'{max_iterations} iterations.')


def greedy_policy(q_values: np.ndarray) -> np.ndarray:
    """The greedy action of each state (lowest action index on ties)."""
    return np.argmax(np.asarray(q_values), axis=-1)
