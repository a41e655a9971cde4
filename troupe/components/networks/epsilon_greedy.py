"""ε-greedy exploration over Q-values, as a categorical distribution, and the
ε-greedy and greedy policies of a Q-network."""

from typing import Optional, Union

import sonnet as snt
import tensorflow as tf
import tensorflow_probability as tfp
from dm_env import specs as dm_specs

tfd = tfp.distributions


def epsilon_greedy(q_values: tf.Tensor,
                   epsilon: Union[float, tf.Tensor, tf.Variable],
                   legal_actions_mask: Optional[tf.Tensor] = None) -> tfd.Categorical:
    """Returns the ε-greedy policy of `q_values` as a `tfd.Categorical`.

    Each action gets probability ε / n plus (1 − ε) / k if it is one of the k
    actions of maximal Q-value (ties share the greedy mass), where n is the number
    of (legal) actions. Returning a distribution lets a `FeedForwardActor` sample
    it; `.sample()` gives int32 actions and `.probs_parameter()` the probabilities.

    Args:
      q_values: [..., num_actions] action values.
      epsilon: exploration rate in [0, 1]; a tensor or variable can be annealed
        without retracing.
      legal_actions_mask: optional [..., num_actions] 0/1 (or bool) mask; illegal
        actions get probability zero.

    Returns:
      A `tfd.Categorical` with batch shape q_values.shape[:-1].
    """
    if isinstance(epsilon, (int, float)) and not 0.0 <= epsilon <= 1.0:
        raise ValueError(f'epsilon_greedy needs epsilon in [0, 1], got {epsilon!r}.')
    q_values = tf.convert_to_tensor(q_values)
    dtype = q_values.dtype if q_values.dtype.is_floating else tf.float32
    q_values = tf.cast(q_values, dtype)
    if legal_actions_mask is None:
        legal = tf.ones_like(q_values)
        masked_q = q_values
    else:
        legal = tf.cast(legal_actions_mask, dtype)
        masked_q = tf.where(legal > 0, q_values, dtype.min)
    greedy = tf.cast(
        tf.equal(masked_q, tf.reduce_max(masked_q, axis=-1, keepdims=True)), dtype) * legal
    greedy /= tf.reduce_sum(greedy, axis=-1, keepdims=True)
    uniform = legal / tf.reduce_sum(legal, axis=-1, keepdims=True)
    epsilon = tf.cast(epsilon, dtype)
    probs = epsilon * uniform + (1.0 - epsilon) * greedy
    return tfd.Categorical(probs=probs, dtype=tf.int32)


class EpsilonGreedyPolicy(snt.Module):
    """Samples ε-greedy actions of `network`'s Q-values, in the action spec's dtype.

    ε is read from a variable at every call, so an annealing schedule can change
    it without retracing the actor's policy.
    """

    def __init__(self, network: snt.Module, epsilon: tf.Variable,
                 action_spec: dm_specs.DiscreteArray, name: str = 'epsilon_greedy'):
        super().__init__(name=name)
        self.network = network
        self.epsilon = epsilon
        self._dtype = tf.as_dtype(action_spec.dtype)

    def __call__(self, observation: tf.Tensor) -> tf.Tensor:
        q_values = self.network(observation)
        action = epsilon_greedy(q_values, self.epsilon).sample()
        return tf.cast(action, self._dtype)


class GreedyPolicy(snt.Module):
    """The greedy action argmax_a Q(s, a), in the action spec's dtype (evaluation)."""

    def __init__(self, network: snt.Module, action_spec: dm_specs.DiscreteArray,
                 name: str = 'greedy'):
        super().__init__(name=name)
        self.network = network
        self._dtype = tf.as_dtype(action_spec.dtype)

    def __call__(self, observation: tf.Tensor) -> tf.Tensor:
        return tf.cast(tf.argmax(self.network(observation), axis=-1), self._dtype)
