"""Evaluation policies the agents do not provide themselves, and a tabular agent's
Q-table in a form a `Checkpointer` can save."""

from typing import Optional

import dm_env
import numpy as np
import sonnet as snt
import tensorflow as tf

from troupe import core
from troupe.agents import tabular


class GreedyLogits(snt.Module):
    """observations -> argmax of a (logits, value) network's logits."""

    def __init__(self, network: snt.Module, action_dtype, name: str = 'greedy_logits'):
        super().__init__(name=name)
        self._network = network
        self._dtype = tf.as_dtype(action_dtype)

    def __call__(self, observations):
        logits, _ = self._network(observations)
        return tf.cast(tf.argmax(logits, axis=-1), self._dtype)


class GreedyRecurrentLogits(snt.RNNCore):
    """(observations, state) -> (argmax of the logits, new state)."""

    def __init__(self, core: snt.RNNCore, action_dtype,
                 name: str = 'greedy_recurrent_logits'):
        super().__init__(name=name)
        self._core = core
        self._dtype = tf.as_dtype(action_dtype)

    def __call__(self, observations, state):
        (logits, _), new_state = self._core(observations, state)
        return tf.cast(tf.argmax(logits, axis=-1), self._dtype), new_state

    def initial_state(self, batch_size: int, **kwargs):
        return self._core.initial_state(batch_size, **kwargs)


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
