"""Monte Carlo control: epsilon-greedy behaviour, Q updated from episode returns."""

from typing import List, Optional, Union

import dm_env
import numpy as np

from troupe import specs
from troupe.agents.tabular import base, exploration


class MonteCarloControl(base.TabularActor):
    """On-policy Monte Carlo control, updating every (s, a) of an episode at its end.

    The return of step t is G_t = r_t + g d_t G_{t+1}. An episode that terminated
    (d = 0 on its LAST step) needs no bootstrap; one that was truncated (d > 0) is
    completed with G_T = max_a Q(s_T, a), since it did not really end there.
    `first_visit=True` updates each (s, a) with the return from its first visit in
    the episode only; `False` updates it at every visit, in time order.
    Q(s, a) moves towards G by `step_size`, or, with `step_size=None`, becomes the
    average of all the returns it was updated with.
    """

    def __init__(self,
                 environment_spec: specs.EnvironmentSpec,
                 epsilon: exploration.EpsilonLike = 0.1,
                 step_size: Optional[float] = None,
                 discount: float = 1.0,
                 first_visit: bool = True,
                 initial_q_values: Union[float, np.ndarray, None] = None,
                 seed: Optional[int] = None):
        # The base checks a given step size; None (sample averages) skips the check.
        super().__init__(environment_spec, epsilon=epsilon,
                         step_size=1.0 if step_size is None else step_size,
                         discount=discount, initial_q_values=initial_q_values,
                         seed=seed)
        if step_size is None:
            self._step_size = None
        self._first_visit = bool(first_visit)
        self._counts = np.zeros_like(self._q, dtype=np.int64)
        self._episode: List[tuple] = []

    @property
    def first_visit(self) -> bool:
        return self._first_visit

    def observe_first(self, timestep: dm_env.TimeStep):
        super().observe_first(timestep)
        self._episode = []

    def _learn(self, state, action, reward, discount, next_state, last):
        self._episode.append((state, action, reward, discount))
        if last:
            self._learn_episode(self._q[next_state].max())
            self._episode = []

    def _learn_episode(self, bootstrap: float) -> None:
        steps = self._episode
        returns = [0.0] * len(steps)
        g = bootstrap
        for t in range(len(steps) - 1, -1, -1):
            _, _, reward, discount = steps[t]
            g = reward + discount * g
            returns[t] = g
        q, counts, alpha = self._q, self._counts, self._step_size
        seen = set()
        for (state, action, _, _), g in zip(steps, returns):
            if self._first_visit:
                if (state, action) in seen:
                    continue
                seen.add((state, action))
            counts[state, action] += 1
            rate = 1.0 / counts[state, action] if alpha is None else alpha
            q[state, action] += rate * (g - q[state, action])

    @property
    def visit_counts(self) -> np.ndarray:
        """How many returns each (s, a) has been updated with [S, A] (a copy)."""
        return self._counts.copy()

