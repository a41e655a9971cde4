"""RandomAgent: the uniformly random tabular baseline."""

from typing import Optional

from troupe import specs
from troupe.agents.tabular import base


class RandomAgent(base.TabularActor):
    """Acts uniformly at random and learns nothing; its Q-table stays at zero.

    The baseline every tabular learner must beat, with the same readable
    `q_values` and `greedy_policy()` so it plugs into the same plots.
    """

    def __init__(self, environment_spec: specs.EnvironmentSpec,
                 seed: Optional[int] = None):
        super().__init__(environment_spec, epsilon=1.0, seed=seed)

    def _learn(self, state, action, reward, discount, next_state, last):
        del state, action, reward, discount, next_state, last
