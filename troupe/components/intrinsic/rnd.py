"""Random Network Distillation (Burda, Edwards, Storkey and Klimov 2019).

A target network f with fixed random weights maps an observation to an
embedding; a predictor network f̂ is trained to reproduce it. On observations
like those it has been trained on the predictor is accurate, on novel ones it
is not, so its squared error is a novelty bonus:

    x = clip((s' − μ) / σ, −5, 5)                  (running observation statistics)
    bonus(s, a, s') = ‖f̂(x) − f(x)‖²               (per example; no gradient)
    loss = mean over the batch of ‖f̂(x) − f(x)‖²   (trains f̂ only)

The bonus is that of the state reached, s' (the transition's
`next_observation`), as in the paper, where the intrinsic reward r_t is the
novelty of s_{t+1}. The target's variables are made non-trainable (not in
`trainable_variables`, so no optimizer touches them); the observation
statistics are float64 variables (`ObservationNormalizer`), both saved with the
learner. Observations are flattened (`utils.batch_concat`) and normalised
first, so the networks see [B, D] vectors: the defaults are MLPs (for pixels,
pass `target_network` and `predictor_network` modules that reshape their input
back into frames for a convolutional torso).
"""

from typing import Optional, Sequence

import sonnet as snt
import tensorflow as tf

from troupe import errors, specs, types
from troupe.components import utils as tf2_utils
from troupe.components.intrinsic import base, normalization


def _not_trainable(next_creator, **kwargs):
    """A variable creator that makes every variable non-trainable."""
    kwargs['trainable'] = False
    return next_creator(**kwargs)


def _check_sizes(name: str, sizes: Sequence[int]) -> list:
    sizes = list(sizes)
    if not all(isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in sizes):
        raise errors.InvalidInput(f'{name} must be a list of integers >= 1, got {sizes!r}.')
    return sizes


class RND(base.IntrinsicReward):
    """Random Network Distillation as an `IntrinsicReward` (module docstring)."""

    def __init__(self,
                 environment_spec: specs.EnvironmentSpec,
                 hidden_sizes: Sequence[int] = (64, 64),
                 feature_size: int = 64,
                 *,
                 target_network: Optional[snt.Module] = None,
                 predictor_network: Optional[snt.Module] = None,
                 observation_clip: float = 5.0,
                 name: str = 'rnd'):
        """Creates the model (variables are made by `create_variables` or on first use).

        Args:
          environment_spec: the environment's specs (only observations are read).
          hidden_sizes: hidden layers of the default target and predictor MLPs.
          feature_size: the embedding size k of both (>= 1).
          target_network: [B, D] normalised observations -> [B, k]; its
            variables must not exist yet (they are made non-trainable).
          predictor_network: [B, D] -> [B, k], trained.
          observation_clip: bound of the normalised observations (RND: 5).
          name: the module name.
        """
        super().__init__(environment_spec, name=name)
        hidden_sizes = _check_sizes('RND hidden_sizes', hidden_sizes)
        _check_sizes('RND feature_size', [feature_size])
        with self.name_scope:
            self.observation_normalizer = normalization.ObservationNormalizer(
                base.flat_size(environment_spec.observations), clip=observation_clip)
            self.target_network = target_network or snt.nets.MLP(
                hidden_sizes + [feature_size], name='target')
            self.predictor_network = predictor_network or snt.nets.MLP(
                hidden_sizes + [feature_size], name='predictor')

    def _inputs(self, observations: types.NestedTensor) -> tf.Tensor:
        return self.observation_normalizer(
            tf.cast(tf2_utils.batch_concat(observations), tf.float32))

    def _target(self, inputs: tf.Tensor) -> tf.Tensor:
        # Whenever the target's variables are made, they are made non-trainable.
        with tf.variable_creator_scope(_not_trainable):
            features = self.target_network(inputs)
        trainable = [v for v in self.target_network.variables if v.trainable]
        if trainable:
            raise errors.InvalidInput(
                f'RND target_network must have no trainable variables (pass a module '
                f'whose variables are not made yet), got {[v.name for v in trainable]}.')
        return tf.stop_gradient(features)

    def compute(self, transitions: types.Transition) -> base.IntrinsicOutput:
        """The bonus ‖f̂(x) − f(x)‖² of each next observation, and its batch mean
        as the predictor's loss."""
        inputs = self._inputs(transitions.next_observation)
        error = tf.reduce_sum(
            tf.square(self.predictor_network(inputs) - self._target(inputs)), axis=-1)
        return base.IntrinsicOutput(bonus=tf.stop_gradient(error),
                                    loss=tf.reduce_mean(error))

    def update_statistics(self, transitions: types.Transition) -> None:
        """Adds the batch's next observations to the observation statistics."""
        self.observation_normalizer.update(
            tf2_utils.batch_concat(transitions.next_observation))
