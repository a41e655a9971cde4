"""A tabular agent's Q-table in a form a `Checkpointer` can save, and the greedy
actor that evaluates it."""

from typing import Optional

import dm_env
import numpy as np

from troupe import core
from troupe.agents import tabular


class TableState(core.Saveable):
    """A tabular agent's Q-table for a Checkpointer; restoring keeps it aside."""

    def __init__(self, agent: tabular.TabularActor):
        self._agent = agent
        self.restored: Optional[np.ndarray] = None

    def save(self) -> np.ndarray:
        return np.array(self._agent.q_values)

    def restore(self, state) -> None:
        self.restored = np.asarray(state, dtype=np.float64)

    @property
    def q_values(self) -> np.ndarray:
        return self.restored if self.restored is not None else np.array(
            self._agent.q_values)


class GreedyTableActor(core.Actor):
    """Acts greedily on a Q-table (lowest action on ties) and learns nothing."""

    def __init__(self, q_values: np.ndarray):
        self._policy = tabular.greedy_policy(np.asarray(q_values))

    def select_action(self, observation) -> int:
        return int(self._policy[int(observation)])

    def observe_first(self, timestep: dm_env.TimeStep):
        del timestep

    def observe(self, action, next_timestep: dm_env.TimeStep):
        del action, next_timestep

    def update(self, wait: bool = False):
        del wait
