"""Value-based losses: (double) Q-learning TD errors, Huber, PER weights, priorities.

Every function is a pure function of tensors: no variables, no networks. The
learners compute Q-values with their networks and pass them in.
"""

from typing import NamedTuple

import tensorflow as tf
import tree

from troupe.components.losses import common


class QLearningOutput(NamedTuple):
    """What a Q-learning loss returns, all of shape [B].

    Attributes:
      target: the (stop-gradient) TD target y.
      td_error: y − Q(s, a).
      qa_tm1: Q(s, a), the value of the action taken.
    """
    target: tf.Tensor
    td_error: tf.Tensor
    qa_tm1: tf.Tensor


def _check_ranks(q_tm1: tf.Tensor, a_tm1: tf.Tensor, r_t: tf.Tensor,
                 discount_t: tf.Tensor, *q_t: tf.Tensor) -> None:
    if q_tm1.shape.rank != 2 or any(q.shape.rank != 2 for q in q_t):
        raise ValueError(f'Q-values must have shape [B, num_actions]; got q_tm1 '
                         f'{q_tm1.shape} and q_t {[q.shape for q in q_t]}.')
    for name, x in (('a_tm1', a_tm1), ('r_t', r_t), ('discount_t', discount_t)):
        if x.shape.rank != 1:
            raise ValueError(f'{name} must have shape [B], got {x.shape}.')


def _select(q: tf.Tensor, actions: tf.Tensor) -> tf.Tensor:
    """q[b, actions[b]] for every b."""
    return tf.gather(q, tf.cast(actions, tf.int32), axis=-1, batch_dims=1)


def q_learning(q_tm1: tf.Tensor, a_tm1: tf.Tensor, r_t: tf.Tensor,
               discount_t: tf.Tensor, q_t: tf.Tensor) -> QLearningOutput:
    """Q-learning TD error (Watkins 1989), as NFQ and plain DQN use it.

        y = r_t + discount_t · max_a q_t[a]          (no gradient through y)
        td_error = y − q_tm1[a_tm1]

    Args:
      q_tm1: [B, A] Q-values at the start state.
      a_tm1: [B] integer actions taken.
      r_t: [B] (n-step) rewards.
      discount_t: [B] discounts applied to the bootstrap value (0 at termination).
      q_t: [B, A] Q-values at the next state.
    """
    _check_ranks(q_tm1, a_tm1, r_t, discount_t, q_t)
    target = tf.stop_gradient(r_t + discount_t * tf.reduce_max(q_t, axis=-1))
    qa_tm1 = _select(q_tm1, a_tm1)
    return QLearningOutput(target, target - qa_tm1, qa_tm1)


def double_q_learning(q_tm1: tf.Tensor, a_tm1: tf.Tensor, r_t: tf.Tensor,
                      discount_t: tf.Tensor, q_t_value: tf.Tensor,
                      q_t_selector: tf.Tensor) -> QLearningOutput:
    """Double Q-learning TD error (van Hasselt et al. 2016).

    The online network picks the next action, the target network values it,
    which removes most of Q-learning's overestimation:

        a* = argmax_a q_t_selector[a]                (ties: the lowest index)
        y = r_t + discount_t · q_t_value[a*]         (no gradient through y)
        td_error = y − q_tm1[a_tm1]

    With n-step transitions, r_t is the n-step return and discount_t the
    product of the n discounts (times the agent discount^n).

    Args:
      q_tm1: [B, A] online Q-values at the start state.
      a_tm1: [B] integer actions taken.
      r_t: [B] (n-step) rewards.
      discount_t: [B] bootstrap discounts (0 at termination).
      q_t_value: [B, A] target-network Q-values at the next state.
      q_t_selector: [B, A] online Q-values at the next state.
    """
    _check_ranks(q_tm1, a_tm1, r_t, discount_t, q_t_value, q_t_selector)
    best_action = tf.argmax(q_t_selector, axis=-1, output_type=tf.int32)
    target = tf.stop_gradient(r_t + discount_t * _select(q_t_value, best_action))
    qa_tm1 = _select(q_tm1, a_tm1)
    return QLearningOutput(target, target - qa_tm1, qa_tm1)


def huber(x: tf.Tensor, delta: float = 1.0) -> tf.Tensor:
    """Elementwise Huber loss: quadratic near zero, linear in the tails.

        huber(x) = x² / 2                     if |x| <= delta
                   delta · (|x| − delta / 2)  otherwise

    The linear tails bound the gradient by delta, so rare large TD errors do
    not dominate an update (Mnih et al. 2015).
    """
    if delta <= 0:
        raise ValueError(f'huber delta must be > 0, got {delta}.')
    abs_x = tf.abs(x)
    quadratic = tf.minimum(abs_x, delta)
    linear = abs_x - quadratic
    return 0.5 * quadratic * quadratic + delta * linear


def importance_sampling_weights(probabilities: tf.Tensor,
                                exponent: float) -> tf.Tensor:
    """Prioritized-replay importance weights, normalised by their maximum.

        w_i = (1 / P(i))^β / max_j (1 / P(j))^β

    (Schaul et al. 2016; the table size N of (N·P(i))^−β cancels in the
    normalisation.) β = 0 gives ones; β = 1 fully corrects the bias that
    prioritized sampling introduces into the expected update.

    Args:
      probabilities: [B] sampling probabilities of the batch's items (> 0).
      exponent: β in [0, 1].
    """
    if not 0.0 <= exponent <= 1.0:
        raise ValueError(
            f'importance_sampling_exponent must be in [0, 1], got {exponent}.')
    weights = tf.pow(1.0 / probabilities, exponent)
    return weights / tf.reduce_max(weights)


def td_priorities(td_error: tf.Tensor, offset: float = 0.0) -> tf.Tensor:
    """New replay priorities |δ| + offset, as float64 for Reverb.

    The table's prioritized selector raises them to its exponent α, so the
    sampling probability is (|δ| + offset)^α / Σ. A small offset keeps items
    with a zero TD error sampleable.
    """
    if offset < 0:
        raise ValueError(f'priority offset must be >= 0, got {offset}.')
    return tf.cast(tf.abs(td_error), tf.float64) + offset


def polyak_average(online, target, rate: float):
    """Soft target update values rate · online + (1 − rate) · target, leaf by leaf.

    The one soft update (Polyak averaging) of troupe: learners call it through
    `components.learning.assign_target(online, target, rate)`. Pure: it returns
    the new target values and assigns nothing; rate = 1 copies the online values
    (a periodic hard update).

    Args:
      online: a tensor or a nest (e.g. a list) of tensors or variables.
      target: the same structure and shapes.
      rate: τ in (0, 1], the weight of the online values.

    Returns:
      The new target values, with the structure of `target`.
    """
    if isinstance(rate, bool) or not isinstance(rate, (int, float, tf.Tensor)) or (
            not isinstance(rate, tf.Tensor) and not 0.0 < rate <= 1.0):
        raise ValueError(f'polyak_average rate must be in (0, 1], got {rate!r}.')
    try:
        tree.assert_same_structure(target, online)
    except (ValueError, TypeError):
        outline = lambda nest: tree.map_structure(lambda _: '*', nest)  # noqa: E731
        raise ValueError(f'online and target must have the same nested structure, got '
                         f'online {outline(online)} and target {outline(target)}.'
                         ) from None

    def update(path, old, new):
        where = ''.join(f'[{key!r}]' for key in path)
        old = tf.convert_to_tensor(old)
        new = tf.convert_to_tensor(new, dtype=old.dtype)
        common.check_same_shape([(f'target{where}', old), (f'online{where}', new)])
        weight = tf.cast(rate, old.dtype)
        return (1.0 - weight) * old + weight * new

    return tree.map_structure_with_path(update, target, online)