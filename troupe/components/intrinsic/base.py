"""The interface every intrinsic reward shares, so a learner uses RND, ICM or
any other bonus without knowing which.

An `IntrinsicReward` is a Sonnet module that scores a batch of transitions
(`types.Transition`: it reads `observation`, `action` and `next_observation`)
with a per-example novelty bonus, and has a loss that trains its own model.
`compute` gives both from one forward pass; `update_statistics` advances any
running statistics (e.g. RND's observation normaliser). Its
`trainable_variables` are exactly what the loss trains (a fixed random network
holds only non-trainable variables); its `variables` are all it holds, for
checkpoints.
"""

import abc
from typing import NamedTuple

import sonnet as snt
import tensorflow as tf

from troupe import specs, types
from troupe.components import utils as tf2_utils


class IntrinsicOutput(NamedTuple):
    """What an intrinsic reward computes for a batch of B transitions.

    Attributes:
      bonus: [B] the per-example bonus, with no gradient (before any reward
        normalisation or scaling a learner applies).
      loss: the scalar loss of the intrinsic model on the batch.
    """
    bonus: tf.Tensor
    loss: tf.Tensor


class IntrinsicReward(snt.Module, abc.ABC):
    """A novelty bonus with a trainable model (see the module docstring)."""

    def __init__(self, environment_spec: specs.EnvironmentSpec, name: str):
        """Keeps the specs the model is built for.

        Args:
          environment_spec: the environment's specs (observations and actions).
          name: the module name.
        """
        super().__init__(name=name)
        self._environment_spec = environment_spec

    @property
    def environment_spec(self) -> specs.EnvironmentSpec:
        """The specs the model is built for."""
        return self._environment_spec

    @abc.abstractmethod
    def compute(self, transitions: types.Transition) -> IntrinsicOutput:
        """The bonus and the loss of a batch, from one forward pass. Reads
        running statistics but does not change them."""

    def bonus(self, transitions: types.Transition) -> tf.Tensor:
        """The [B] bonus of a batch of transitions (no gradient)."""
        return self.compute(transitions).bonus

    def loss(self, transitions: types.Transition) -> tf.Tensor:
        """The scalar loss that trains the model on a batch of transitions."""
        return self.compute(transitions).loss

    def update_statistics(self, transitions: types.Transition) -> None:
        """Adds a batch to the model's running statistics (none by default)."""
        del transitions

    def create_variables(self) -> None:
        """Makes every variable (on the current device) by computing the
        bonus of one all-zero transition."""
        spec = self._environment_spec
        observation = tf2_utils.zeros_like(spec.observations, 1)
        zeros = types.Transition(
            observation=observation, action=tf2_utils.zeros_like(spec.actions, 1),
            reward=tf2_utils.zeros_like(spec.rewards, 1),
            discount=tf2_utils.zeros_like(spec.discounts, 1),
            next_observation=observation, extras=())
        self.compute(tf.nest.map_structure(tf.convert_to_tensor, zeros))


def flat_size(spec: types.NestedSpec) -> int:
    """The length of one example of `spec` once flattened and concatenated
    (what `utils.batch_concat` makes of it)."""
    size = 0
    for leaf in tf.nest.flatten(spec):
        count = 1
        for dimension in leaf.shape:
            count *= int(dimension)
        size += count
    return size
