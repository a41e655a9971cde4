"""The Intrinsic Curiosity Module (Pathak, Agrawal, Efros and Darrell 2017).

An encoder φ maps observations to features. An inverse model g predicts the
action a_t from φ(s_t) and φ(s_{t+1}); a forward model f predicts φ(s_{t+1})
from φ(s_t) and a_t. Training φ through the inverse model makes the features
keep what the agent's actions influence; the forward model's error in that
space is the curiosity bonus:

    φ̂_{t+1} = f(φ(s_t), a_t)
    L_F = mean over the batch of ½‖φ̂_{t+1} − φ(s_{t+1})‖²
    L_I = mean cross-entropy of g(φ(s_t), φ(s_{t+1})) and a_t   (discrete a_t)
          mean of ½‖g(φ(s_t), φ(s_{t+1})) − a_t‖²               (continuous a_t)
    loss = (1 − β)·L_I + β·L_F                                  (paper: β = 0.2)
    bonus = η/2 ‖φ̂_{t+1} − φ(s_{t+1})‖²                         (no gradient)

The loss is the paper's equation 7 without the policy term: both L_I and L_F
train the encoder, L_I also g and L_F also f. Discrete actions enter the
forward model one-hot; continuous ones (a `BoundedArray`) as their flattened
values. Observations are flattened (`utils.batch_concat`), so the default
networks are MLPs. ICM models one environment step: the transitions must be
one-step (s_t, a_t, s_{t+1}).
"""

from typing import NamedTuple, Optional, Sequence

import numpy as np
import sonnet as snt
import tensorflow as tf
import tree

from troupe import errors, specs, types
from troupe.components import utils as tf2_utils
from troupe.components.intrinsic import base


class ICMLosses(NamedTuple):
    """ICM's terms for a batch of B transitions.

    Attributes:
      inverse: L_I, the inverse model's scalar loss.
      forward: L_F, the forward model's scalar loss.
      total: (1 − β)·L_I + β·L_F.
      forward_error: [B] ½‖φ̂_{t+1} − φ(s_{t+1})‖² per example.
    """
    inverse: tf.Tensor
    forward: tf.Tensor
    total: tf.Tensor
    forward_error: tf.Tensor


def _action_size(action_spec) -> Optional[int]:
    """The number of discrete actions, or None for a continuous action spec."""
    if tree.is_nested(action_spec):
        raise errors.InvalidInput(
            f'ICM needs one action spec (a DiscreteArray or a BoundedArray), got the '
            f'nested {action_spec!r}.')
    if isinstance(action_spec, specs.DiscreteArray):
        return None
    if np.issubdtype(np.dtype(action_spec.dtype), np.floating):
        return int(np.prod(action_spec.shape, dtype=np.int64))
    raise errors.InvalidInput(
        f'ICM needs discrete actions (a DiscreteArray) or continuous ones (a '
        f'floating-point BoundedArray), got {action_spec!r}.')


class ICM(base.IntrinsicReward):
    """The Intrinsic Curiosity Module as an `IntrinsicReward` (module docstring)."""

    def __init__(self,
                 environment_spec: specs.EnvironmentSpec,
                 hidden_sizes: Sequence[int] = (64, 64),
                 feature_size: int = 64,
                 *,
                 beta: float = 0.2,
                 eta: float = 1.0,
                 encoder: Optional[snt.Module] = None,
                 inverse_model: Optional[snt.Module] = None,
                 forward_model: Optional[snt.Module] = None,
                 name: str = 'icm'):
        """Creates the model (variables are made by `create_variables` or on first use).

        Args:
          environment_spec: the environment's specs (observations and actions).
          hidden_sizes: hidden layers of the default encoder, inverse and
            forward MLPs.
          feature_size: the size of φ (>= 1).
          beta: β in [0, 1], the forward loss's weight (paper: 0.2).
          eta: η >= 0, the bonus scale.
          encoder: [B, D] flat observations -> [B, feature_size] features φ.
          inverse_model: [B, 2·feature_size] (φ(s_t), φ(s_{t+1})) -> [B, A]
            action logits (discrete) or [B, action size] actions (continuous).
          forward_model: [B, feature_size + A] (φ(s_t), one-hot or continuous
            a_t) -> [B, feature_size] predicted φ(s_{t+1}).
          name: the module name.
        """
        super().__init__(environment_spec, name=name)
        hidden_sizes = list(hidden_sizes)
        for value in hidden_sizes + [feature_size]:
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise errors.InvalidInput(
                    f'ICM hidden_sizes and feature_size must be integers >= 1, got '
                    f'{hidden_sizes!r} and {feature_size!r}.')
        if isinstance(beta, bool) or not 0.0 <= beta <= 1.0:
            raise errors.InvalidInput(f'ICM beta must be in [0, 1], got {beta!r}.')
        if isinstance(eta, bool) or not eta >= 0:
            raise errors.InvalidInput(f'ICM eta must be >= 0, got {eta!r}.')
        self._beta = float(beta)
        self._eta = float(eta)
        action_spec = environment_spec.actions
        continuous_size = _action_size(action_spec)
        self._num_actions = (None if continuous_size is not None
                             else int(action_spec.num_values))
        action_outputs = continuous_size or self._num_actions
        with self.name_scope:
            self.encoder = encoder or snt.nets.MLP(hidden_sizes + [feature_size],
                                                   name='encoder')
            self.inverse_model = inverse_model or snt.nets.MLP(
                hidden_sizes + [action_outputs], name='inverse_model')
            self.forward_model = forward_model or snt.nets.MLP(
                hidden_sizes + [feature_size], name='forward_model')

    @property
    def discrete(self) -> bool:
        """Whether actions are discrete (cross-entropy inverse loss)."""
        return self._num_actions is not None

    def _features(self, observations: types.NestedTensor) -> tf.Tensor:
        return self.encoder(tf.cast(tf2_utils.batch_concat(observations), tf.float32))

    def losses(self, transitions: types.Transition) -> ICMLosses:
        """The inverse and forward losses of a batch (module docstring)."""
        features = self._features(transitions.observation)
        next_features = self._features(transitions.next_observation)
        prediction = self.inverse_model(tf.concat([features, next_features], axis=-1))
        if self.discrete:
            actions = tf.cast(tf.reshape(transitions.action, [-1]), tf.int32)
            inverse = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
                labels=actions, logits=prediction))
            action_inputs = tf.one_hot(actions, self._num_actions, dtype=features.dtype)
        else:
            action_inputs = tf.cast(tf2_utils.batch_concat(transitions.action),
                                    features.dtype)
            inverse = tf.reduce_mean(
                0.5 * tf.reduce_sum(tf.square(prediction - action_inputs), axis=-1))
        predicted = self.forward_model(tf.concat([features, action_inputs], axis=-1))
        forward_error = 0.5 * tf.reduce_sum(tf.square(predicted - next_features), axis=-1)
        forward = tf.reduce_mean(forward_error)
        total = (1.0 - self._beta) * inverse + self._beta * forward
        return ICMLosses(inverse, forward, total, forward_error)

    def compute(self, transitions: types.Transition) -> base.IntrinsicOutput:
        """The bonus η/2‖φ̂_{t+1} − φ(s_{t+1})‖² and the loss (1 − β)·L_I + β·L_F."""
        terms = self.losses(transitions)
        return base.IntrinsicOutput(
            bonus=tf.stop_gradient(self._eta * terms.forward_error), loss=terms.total)
