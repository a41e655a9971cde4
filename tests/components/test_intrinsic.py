"""Intrinsic rewards: the running statistics against numpy, the observation and
return normalisers, RND's and ICM's bonuses and losses by hand on tiny networks
with set weights, the trainer's update, and bad input."""

import math

import numpy as np
import pytest
import sonnet as snt
import tensorflow as tf
from dm_env import specs as dm_specs

from tests.learner_helpers import fixed_linear
from troupe import errors, specs, types
from troupe.components import intrinsic


def _spec(observation_size=2, actions=None):
    actions = actions if actions is not None else dm_specs.DiscreteArray(2)
    return specs.EnvironmentSpec(
        observations=dm_specs.Array((observation_size,), np.float32),
        actions=actions, rewards=dm_specs.Array((), np.float32),
        discounts=dm_specs.BoundedArray((), np.float32, 0.0, 1.0))


def _transitions(observation, action, next_observation, action_dtype=tf.int64):
    n = len(observation)
    return types.Transition(
        observation=tf.constant(observation, tf.float32),
        action=tf.constant(action, action_dtype), reward=tf.zeros([n]),
        discount=tf.ones([n]), next_observation=tf.constant(next_observation, tf.float32),
        extras=())


# Running statistics.

def test_running_mean_std_matches_numpy_after_several_batches():
    rng = np.random.default_rng(0)
    # A large offset: the naive sum-of-squares variance would lose every digit.
    batches = [1e6 + rng.normal(size=(n, 3)) * [1., 10., 0.1] for n in (4, 1, 7, 2)]
    statistics = intrinsic.RunningMeanStd((3,))
    statistics.create_variables()
    np.testing.assert_array_equal(statistics.mean.numpy(), np.zeros(3))
    np.testing.assert_array_equal(statistics.variance.numpy(), np.ones(3))
    assert statistics.count.numpy() == 0
    for i, batch in enumerate(batches):
        statistics.update(tf.constant(batch, tf.float64))
        seen = np.concatenate(batches[:i + 1])
        np.testing.assert_allclose(statistics.mean.numpy(), seen.mean(axis=0),
                                   rtol=1e-12)
        np.testing.assert_allclose(statistics.variance.numpy(), seen.var(axis=0),
                                   rtol=1e-7)
        assert statistics.count.numpy() == len(seen)


def test_running_mean_std_first_batch_sets_its_own_statistics_and_scalars_work():
    statistics = intrinsic.RunningMeanStd(())
    statistics.update(tf.constant([[1., 2.], [3., 6.]]))  # Four scalar examples.
    assert statistics.mean.numpy() == 3.0
    assert statistics.variance.numpy() == np.var([1., 2., 3., 6.]) == 3.5
    assert statistics.count.numpy() == 4


def test_running_mean_std_refuses_wrong_shapes_by_name():
    statistics = intrinsic.RunningMeanStd((3,))
    with pytest.raises(errors.InvalidInput, match=r'shape \[N, 3\], got \(4, 2\)'):
        statistics.update(tf.zeros([4, 2]))
    with pytest.raises(errors.InvalidInput, match='at least one example'):
        statistics.update(tf.zeros([0, 3]))
    with pytest.raises(errors.InvalidInput, match=r'sizes >= 1, got \(0,\)'):
        intrinsic.RunningMeanStd((0,))


def test_observation_normalizer_whitens_and_clips_to_five():
    normalizer = intrinsic.ObservationNormalizer(2)
    # Before any update: mean 0, variance 1, so only the clipping acts.
    np.testing.assert_allclose(normalizer(tf.constant([[7., -0.5]])).numpy(),
                               [[5., -0.5]], rtol=1e-6)
    normalizer.update(tf.constant([[0., 10.], [2., 30.]]))  # Mean [1, 20], var [1, 100].
    out = normalizer(tf.constant([[3., 20.], [1., 1000.], [-9., 15.]]))
    assert out.dtype == tf.float32
    # (3 − 1)/1 = 2, (20 − 20)/10 = 0; (1000 − 20)/10 = 98 → 5; (−9 − 1)/1 = −10 → −5.
    np.testing.assert_allclose(out.numpy(), [[2., 0.], [0., 5.], [-5., -0.5]],
                               rtol=1e-6)


def test_return_normalizer_divides_by_the_std_of_the_running_returns():
    normalizer = intrinsic.ReturnNormalizer(discount=0.5, num_streams=2)
    # One step: returns R = r = [1, 2]; their variance 0.25; rewards / 0.5.
    np.testing.assert_allclose(normalizer(tf.constant([1., 2.])).numpy(), [2., 4.],
                               rtol=1e-6)
    # Two steps of two streams: R = [0.5·1 + 0, 0.5·2 + 2] = [0.5, 3], then
    # [0.5·0.5 + 4, 0.5·3 + 0] = [4.25, 1.5].
    rewards = np.array([[0., 2.], [4., 0.]], np.float32)
    out = normalizer(tf.constant(rewards)).numpy()
    np.testing.assert_allclose(normalizer.returns.numpy(), [4.25, 1.5])
    variance = np.var([1., 2., 0.5, 3., 4.25, 1.5])
    np.testing.assert_allclose(out, rewards / math.sqrt(variance + 1e-8), rtol=1e-6)
    assert normalizer.statistics.count.numpy() == 6


def test_return_normalizer_refuses_another_number_of_streams():
    normalizer = intrinsic.ReturnNormalizer(0.99, num_streams=2)
    with pytest.raises(errors.InvalidInput, match=r'\[T, 2\] or \[2\].*got \(3,\)'):
        normalizer(tf.zeros([3]))
    with pytest.raises(errors.InvalidInput, match=r'discount must be in \[0, 1\], got 1.5'):
        intrinsic.ReturnNormalizer(1.5, 2)


# RND.

def _rnd(target=((1., 2.), (0., 1.)), predictor=((0., 1.), (1., 0.))):
    return intrinsic.RND(_spec(2), target_network=fixed_linear(target),
                         predictor_network=fixed_linear(predictor))


def test_rnd_bonus_and_loss_by_hand():
    rnd = _rnd()
    rnd.create_variables()
    # Normaliser unset: x = s'. Target x·[[1, 2], [0, 1]]: [1, 4] and [3, 5].
    # Predictor x·[[0, 1], [1, 0]]: [2, 1] and [-1, 3].
    # Squared errors: 1 + 9 = 10 and 16 + 4 = 20.
    batch = _transitions([[0., 0.], [0., 0.]], [0, 1], [[1., 2.], [3., -1.]])
    output = rnd.compute(batch)
    np.testing.assert_allclose(output.bonus.numpy(), [10., 20.])
    assert output.loss.numpy() == pytest.approx(15.)
    np.testing.assert_allclose(rnd.bonus(batch).numpy(), [10., 20.])
    assert rnd.loss(batch).numpy() == pytest.approx(15.)
    assert isinstance(rnd, intrinsic.IntrinsicReward)


def test_rnd_target_is_not_trainable_and_only_the_predictor_is():
    rnd = _rnd()
    rnd.create_variables()
    assert len(rnd.trainable_variables) == 1
    assert rnd.trainable_variables[0] is rnd.predictor_network.w
    assert not rnd.target_network.w.trainable
    default = intrinsic.RND(_spec(2), hidden_sizes=(8,), feature_size=4)
    default.create_variables()
    assert all(not v.trainable for v in default.target_network.variables)
    assert {v.ref() for v in default.trainable_variables} == {
        v.ref() for v in default.predictor_network.variables}


def test_rnd_refuses_a_target_whose_variables_exist_already():
    target = fixed_linear([[1.], [1.]])
    target(tf.zeros([1, 2]))  # Made trainable before RND could make them fixed.
    rnd = intrinsic.RND(_spec(2), target_network=target,
                        predictor_network=fixed_linear([[1.], [1.]]))
    with pytest.raises(errors.InvalidInput, match='no trainable variables'):
        rnd.create_variables()


def test_trainer_on_rnd_matches_numpy_and_leaves_the_target_fixed():
    w_t, w_p = np.array([[1., 2.], [0., 1.]]), np.array([[0., 1.], [1., 0.]])
    rnd = _rnd(w_t, w_p)
    trainer = intrinsic.IntrinsicRewardTrainer(rnd, snt.optimizers.SGD(0.1), scale=2.)
    trainer.create_variables()
    s_next = np.array([[1., 2.], [3., -1.], [0., 4.]])
    batch = _transitions(np.zeros((3, 2)), [0, 1, 0], s_next)
    rewards, fetches = trainer(batch)
    # The statistics are updated first, so the bonus is that of the whitened s'.
    x = np.clip((s_next - s_next.mean(0)) / np.sqrt(s_next.var(0) + 1e-8), -5, 5)
    error = x @ w_p - x @ w_t
    bonus = (error ** 2).sum(axis=1)
    np.testing.assert_allclose(rewards.numpy(), 2 * bonus, rtol=1e-5)
    assert fetches['intrinsic_loss'].numpy() == pytest.approx(bonus.mean(), rel=1e-5)
    assert fetches['intrinsic_bonus'].numpy() == pytest.approx(bonus.mean(), rel=1e-5)
    assert fetches['intrinsic_reward'].numpy() == pytest.approx(2 * bonus.mean(), rel=1e-5)
    # d mean(‖xW_p − xW_t‖²)/dW_p = (2/B) xᵀ(xW_p − xW_t).
    np.testing.assert_allclose(rnd.predictor_network.w.numpy(),
                               w_p - 0.1 * 2 / 3 * x.T @ error, rtol=1e-5)
    for _ in range(3):
        trainer(batch)
    np.testing.assert_array_equal(rnd.target_network.w.numpy(), w_t)
    assert sorted(trainer.state) == ['intrinsic_model', 'intrinsic_optimizer']


def test_trainer_bonus_falls_on_a_batch_it_keeps_seeing():
    trainer = intrinsic.make_trainer('rnd', _spec(2), scale=1., discount=0.99,
                                     batch_size=16, learning_rate=1e-2,
                                     hidden_sizes=(32,), feature_size=16)
    trainer.create_variables()
    batch = _transitions(np.zeros((16, 2)), [0] * 16,
                         np.random.default_rng(0).normal(size=(16, 2)))
    first = float(trainer(batch)[1]['intrinsic_bonus'])

    @tf.function
    def train(steps):
        for _ in tf.range(steps):
            trainer(batch)
        return trainer(batch)[1]['intrinsic_bonus']

    last = float(train(tf.constant(300)))
    assert first > 0
    assert last < first / 20, (first, last)
    assert sorted(trainer.state) == ['intrinsic_model', 'intrinsic_optimizer',
                                     'intrinsic_reward_normalizer']


# ICM.

def _icm(**kwargs):
    # φ(s) = 2s; inverse logits = [φ(s), φ(s')]; forward φ̂' = φ + 1[a=0] − 2·1[a=1].
    return intrinsic.ICM(_spec(1), encoder=fixed_linear([[2.]]),
                         inverse_model=fixed_linear([[1., 0.], [0., 1.]]),
                         forward_model=fixed_linear([[1.], [1.], [-2.]]), **kwargs)


def test_icm_losses_and_bonus_by_hand():
    icm = _icm(eta=0.5)
    # s = [1, 0.5], a = [0, 1], s' = [2, 0.25]: φ = [2, 1], φ' = [4, 0.5].
    batch = _transitions([[1.], [0.5]], [0, 1], [[2.], [0.25]])
    terms = icm.losses(batch)
    # Inverse: logits [2, 4] with label 0 and [1, 0.5] with label 1.
    inverse = np.mean([np.log(np.exp(2) + np.exp(4)) - 2,
                       np.log(np.exp(1) + np.exp(0.5)) - 0.5])     # ≈ 1.55050
    # Forward: φ̂' = [2 + 1, 1 − 2] = [3, −1] against [4, 0.5]: ½·1 and ½·2.25.
    np.testing.assert_allclose(terms.forward_error.numpy(), [0.5, 1.125])
    assert terms.forward.numpy() == pytest.approx(0.8125)
    assert terms.inverse.numpy() == pytest.approx(inverse, rel=1e-6)
    assert terms.total.numpy() == pytest.approx(0.8 * inverse + 0.2 * 0.8125, rel=1e-6)
    output = icm.compute(batch)
    np.testing.assert_allclose(output.bonus.numpy(), [0.25, 0.5625])   # η/2 ‖·‖².
    assert output.loss.numpy() == pytest.approx(terms.total.numpy())


def test_icm_continuous_actions_use_the_squared_error():
    actions = dm_specs.BoundedArray((1,), np.float32, -1., 1.)
    icm = intrinsic.ICM(_spec(1, actions), beta=0.5, encoder=fixed_linear([[2.]]),
                        inverse_model=fixed_linear([[1.], [-1.]]),
                        forward_model=fixed_linear([[1.], [3.]]))
    assert not icm.discrete
    # φ = [2], φ' = [4]; inverse â = 2 − 4 = −2 against a = 0.5: ½·6.25.
    # Forward φ̂' = 2 + 3·0.5 = 3.5 against 4: ½·0.25.
    batch = _transitions([[1.]], [[0.5]], [[2.]], action_dtype=tf.float32)
    terms = icm.losses(batch)
    assert terms.inverse.numpy() == pytest.approx(3.125)
    assert terms.forward.numpy() == pytest.approx(0.125)
    assert terms.total.numpy() == pytest.approx(0.5 * 3.125 + 0.5 * 0.125)


def test_icm_training_moves_the_encoder_and_both_models():
    icm = _icm()
    trainer = intrinsic.IntrinsicRewardTrainer(icm, snt.optimizers.SGD(0.1))
    trainer.create_variables()
    before = [v.numpy().copy() for v in icm.trainable_variables]
    assert len(before) == 3
    trainer(_transitions([[1.], [0.5]], [0, 1], [[2.], [0.25]]))
    for old, variable in zip(before, icm.trainable_variables):
        assert not np.array_equal(old, variable.numpy()), variable.name


def test_icm_refuses_actions_it_cannot_model():
    integer_box = dm_specs.BoundedArray((2,), np.int32, 0, 3)
    with pytest.raises(errors.InvalidInput, match='DiscreteArray.*BoundedArray'):
        intrinsic.ICM(_spec(1, integer_box))
    with pytest.raises(errors.InvalidInput, match=r'beta must be in \[0, 1\], got 1.2'):
        intrinsic.ICM(_spec(1), beta=1.2)


# Names and bad values.

def test_kinds_and_their_errors():
    assert intrinsic.KINDS == ('rnd', 'icm')
    assert isinstance(intrinsic.make_model('icm', _spec(2)), intrinsic.ICM)
    with pytest.raises(errors.InvalidInput,
                       match=r"Config.kind must be one of 'rnd', 'icm'.*got 'count'"):
        intrinsic.check_kind('Config.kind', 'count')
    with pytest.raises(errors.InvalidInput, match=r'scale must be a finite number >= 0, '
                                                  r'got -1'):
        intrinsic.IntrinsicRewardTrainer(_rnd(), snt.optimizers.SGD(0.1), scale=-1)
