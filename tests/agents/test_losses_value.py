"""Value losses on hand-made batches, checked against hand-computed numbers."""

import numpy as np
import pytest
import tensorflow as tf

from troupe.components import losses

Q_TM1 = [[1., 2., 3.], [4., 5., 6.]]
ACTIONS = [0, 2]
REWARDS = [1., -1.]
DISCOUNTS = [0.5, 0.]
Q_T_VALUE = [[10., 20., 30.], [1., 2., 3.]]
Q_T_SELECTOR = [[3., 2., 1.], [0., 5., 0.]]


def _t(x, dtype=tf.float32):
    return tf.constant(x, dtype)


def test_double_q_learning_targets_and_td_errors():
    # Selector picks actions [0, 1]; the target network values them 10 and 2.
    # targets: 1 + 0.5 * 10 = 6 and -1 + 0 * 2 = -1; Q(s, a) = [1, 6].
    out = losses.double_q_learning(_t(Q_TM1), _t(ACTIONS, tf.int64), _t(REWARDS),
                                   _t(DISCOUNTS), _t(Q_T_VALUE), _t(Q_T_SELECTOR))
    np.testing.assert_allclose(out.target, [6., -1.])
    np.testing.assert_allclose(out.qa_tm1, [1., 6.])
    np.testing.assert_allclose(out.td_error, [5., -7.])


def test_n_step_target_uses_the_given_reward_and_discount():
    # A 3-step transition: R = 1 + 0.9 * 1 + 0.81 * 1 = 2.71, D = 0.9^3 = 0.729.
    out = losses.double_q_learning(_t([[0., 0.]]), _t([1]), _t([2.71]), _t([0.729]),
                                   _t([[10., 4.]]), _t([[0., 1.]]))
    np.testing.assert_allclose(out.target, [2.71 + 0.729 * 4.], rtol=1e-6)


def test_q_learning_bootstraps_from_the_max():
    out = losses.q_learning(_t(Q_TM1), _t(ACTIONS), _t(REWARDS), _t(DISCOUNTS),
                            _t(Q_T_VALUE))
    np.testing.assert_allclose(out.target, [16., -1.])
    np.testing.assert_allclose(out.td_error, [15., -7.])


def test_no_gradient_flows_through_the_target():
    q_tm1, q_t = tf.Variable(Q_TM1), tf.Variable(Q_T_VALUE)
    with tf.GradientTape() as tape:
        out = losses.double_q_learning(q_tm1, _t(ACTIONS), _t(REWARDS), _t(DISCOUNTS),
                                       q_t, q_t)
        loss = tf.reduce_sum(0.5 * tf.square(out.td_error))
    grad_q_tm1, grad_q_t = tape.gradient(loss, [q_tm1, q_t])
    assert grad_q_t is None
    # d(0.5 td^2)/dQ(s, a) = -td, only at the action taken.
    # With q_t as both selector and value: targets 1 + 0.5 * 30 = 16 and -1.
    np.testing.assert_allclose(grad_q_tm1, [[-15., 0., 0.], [0., 0., 7.]])


def test_huber_is_quadratic_inside_delta_and_linear_outside():
    x = _t([-3., -1., -0.5, 0., 2.])
    np.testing.assert_allclose(losses.huber(x, 1.0), [2.5, 0.5, 0.125, 0., 1.5])
    np.testing.assert_allclose(losses.huber(_t([1., 3.]), 2.0), [0.5, 4.])
    with pytest.raises(ValueError, match=r'huber delta must be > 0, got 0'):
        losses.huber(x, 0.)


def test_importance_sampling_weights():
    probs = _t([0.5, 0.25, 0.125, 0.125])
    # (1/p)^0.5 = [sqrt2, 2, sqrt8, sqrt8], divided by sqrt8.
    np.testing.assert_allclose(losses.importance_sampling_weights(probs, 0.5),
                               [0.5, np.sqrt(0.5), 1., 1.], rtol=1e-6)
    np.testing.assert_allclose(losses.importance_sampling_weights(probs, 1.0),
                               [0.25, 0.5, 1., 1.])
    np.testing.assert_allclose(losses.importance_sampling_weights(probs, 0.0),
                               [1., 1., 1., 1.])
    with pytest.raises(ValueError,
                       match=r'importance_sampling_exponent must be in \[0, 1\], got 1.5'):
        losses.importance_sampling_weights(probs, 1.5)


def test_td_priorities_are_absolute_td_errors_in_float64():
    priorities = losses.td_priorities(_t([-2., 0.5, 0.]))
    assert priorities.dtype == tf.float64
    np.testing.assert_allclose(priorities, [2., 0.5, 0.])
    np.testing.assert_allclose(losses.td_priorities(_t([-2., 0.5]), offset=0.1),
                               [2.1, 0.6], rtol=1e-6)


def test_polyak_average():
    online, target = [_t([1., 2.])], [_t([3., 5.])]
    np.testing.assert_allclose(losses.polyak_average(online, target, 0.25)[0],
                               [2.5, 4.25])
    np.testing.assert_allclose(losses.polyak_average(online, target, 1.0)[0], [1., 2.])
    with pytest.raises(ValueError, match=r'rate must be in \(0, 1\], got 0'):
        losses.polyak_average(online, target, 0.)


def test_bad_shapes_are_named():
    with pytest.raises(ValueError, match=r'a_tm1 must have shape \[B\]'):
        losses.q_learning(_t(Q_TM1), _t([[0], [1]]), _t(REWARDS), _t(DISCOUNTS),
                          _t(Q_T_VALUE))
