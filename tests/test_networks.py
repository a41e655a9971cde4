"""Tests for troupe.components.networks: shapes, exact mappings and graph behaviour."""

import numpy as np
import pytest
import sonnet as snt
import tensorflow as tf
import tensorflow_probability as tfp

from troupe import specs
from troupe.components import networks
from troupe.components import utils as tf2_utils

tfd = tfp.distributions


def _float32(x):
    return tf.constant(x, dtype=tf.float32)


# ---------------------------------------------------------------- MLP torsos


def test_layer_norm_mlp_shapes_and_nested_inputs():
    torso = networks.LayerNormMLP([16, 8, 3])
    observation = {'a': tf.ones([5, 2]), 'b': tf.zeros([5, 3, 2])}
    out = torso(observation)
    assert out.shape == (5, 3) and out.dtype == tf.float32
    # The first layer's (Linear, LayerNorm, tanh) output has 16 features in [-1, 1].
    first = snt.Sequential(torso._network._layers[:3])(tf2_utils.batch_concat(observation))
    assert first.shape == (5, 16)
    assert np.all(np.abs(first.numpy()) <= 1.0)


def test_layer_norm_mlp_single_layer_is_tanh_bounded_and_rejects_empty():
    torso = networks.LayerNormMLP([4])
    out = torso(tf.random.normal([6, 3]) * 100.0).numpy()
    assert out.shape == (6, 4)
    assert np.all(np.abs(out) <= 1.0)
    with pytest.raises(ValueError, match=r'\[\]'):
        networks.LayerNormMLP([])


def test_near_zero_initialized_linear_has_tiny_weights_and_zero_bias():
    layer = networks.NearZeroInitializedLinear(3, scale=1e-4)
    out = layer(tf.ones([2, 10]))
    assert out.shape == (2, 3)
    # Truncated normal at two standard deviations of sqrt(scale / fan_in) / 0.8796.
    limit = 2 * np.sqrt(1e-4 / 10) / 0.87962566103423978
    w = layer.w.numpy()
    assert np.all(np.abs(w) <= limit + 1e-7) and np.any(w != 0)
    np.testing.assert_array_equal(layer.b.numpy(), np.zeros(3, np.float32))


# ---------------------------------------------------------------- rescaling


SYMMETRIC = specs.BoundedArray((1,), np.float32, -2.0, 2.0)
ASYMMETRIC = specs.BoundedArray((2,), np.float32, [0.0, -1.0], [4.0, 3.0])


def test_tanh_to_spec_exact_values():
    x = np.arctanh(np.array([[0.0], [0.5], [-0.5]], np.float32))
    np.testing.assert_allclose(networks.TanhToSpec(SYMMETRIC)(x).numpy(),
                               [[0.0], [1.0], [-1.0]], atol=1e-6)
    x = np.arctanh(np.array([[0.0, 0.0], [0.5, -0.5], [-0.5, 0.5]], np.float32))
    # min + (tanh(x) + 1) / 2 * (max - min): dim 0 in [0, 4], dim 1 in [-1, 3].
    np.testing.assert_allclose(networks.TanhToSpec(ASYMMETRIC)(x).numpy(),
                               [[2.0, 1.0], [3.0, 0.0], [1.0, 2.0]], atol=1e-6)
    extreme = networks.TanhToSpec(ASYMMETRIC)(_float32([[100.0, -100.0]])).numpy()
    np.testing.assert_allclose(extreme, [[4.0, -1.0]])


def test_clip_and_rescale_to_spec_exact_values():
    clipped = networks.ClipToSpec(ASYMMETRIC)(_float32([[-3.0, 5.0], [1.5, -0.5]]))
    np.testing.assert_array_equal(clipped.numpy(), [[0.0, 3.0], [1.5, -0.5]])
    clipped = networks.ClipToSpec(SYMMETRIC)(_float32([[-7.0], [1.25], [2.5]]))
    np.testing.assert_array_equal(clipped.numpy(), [[-2.0], [1.25], [2.0]])
    rescaled = networks.RescaleToSpec(ASYMMETRIC)(_float32([[-1.0, 1.0], [0.0, 0.0],
                                                            [0.5, -0.5]]))
    np.testing.assert_allclose(rescaled.numpy(), [[0.0, 3.0], [2.0, 1.0], [3.0, 0.0]])


def test_rescaling_follows_input_dtype_and_rejects_bad_specs():
    out = networks.TanhToSpec(SYMMETRIC)(tf.constant([[0.5]], tf.float64))
    assert out.dtype == tf.float64
    with pytest.raises(TypeError, match='BoundedArray'):
        networks.TanhToSpec(specs.Array((1,), np.float32))
    unbounded = specs.BoundedArray((1,), np.float32, -np.inf, np.inf)
    with pytest.raises(ValueError, match='inf'):
        networks.TanhToSpec(unbounded)
    # Clipping to infinite bounds is fine: it is the identity.
    np.testing.assert_array_equal(
        networks.ClipToSpec(unbounded)(_float32([[1e9]])).numpy(), [[1e9]])


def test_tanh_to_spec_transforms_distributions_into_bounds():
    tf.random.set_seed(0)
    base = tfd.MultivariateNormalDiag(loc=tf.zeros([1000, 2]),
                                      scale_diag=tf.fill([1000, 2], 3.0))
    squashed = networks.TanhToSpec(ASYMMETRIC)(base)
    samples = squashed.sample().numpy()
    assert samples.shape == (1000, 2)
    assert np.all(samples >= [0.0, -1.0]) and np.all(samples <= [4.0, 3.0])
    # The median maps through the bijector: tanh(0) -> the middle of the bounds.
    np.testing.assert_allclose(np.median(samples, axis=0), [2.0, 1.0], atol=0.3)


# ---------------------------------------------------------------- noise


def test_clipped_gaussian_adds_noise_and_clips():
    tf.random.set_seed(1)
    noisy = networks.ClippedGaussian(0.5)(tf.zeros([2000, 2])).numpy()
    assert np.all(noisy >= -1.0) and np.all(noisy <= 1.0)
    assert np.mean(noisy != 0.0) > 0.99  # not the identity
    assert 0.4 < noisy.std() < 0.55
    near_edge = networks.ClippedGaussian(0.5)(tf.fill([2000], 0.9)).numpy()
    assert np.all(near_edge <= 1.0)
    # About P(N(0, 0.5) > 0.1) = 42% of the samples hit the upper bound exactly.
    assert 0.35 < np.mean(near_edge == 1.0) < 0.5


def test_clipped_gaussian_keeps_nest_structure_and_validates():
    out = networks.ClippedGaussian(0.1)({'x': tf.zeros([3, 2]), 'y': tf.zeros([3])})
    assert set(out) == {'x', 'y'} and out['x'].shape == (3, 2) and out['y'].shape == (3,)
    with pytest.raises(ValueError, match='-1'):
        networks.ClippedGaussian(-1.0)


# ---------------------------------------------------------------- multiplexer


def test_critic_multiplexer_concatenates_and_casts_action_dtype():
    observation = _float32([[1.0, 2.0], [3.0, 4.0]])
    action = tf.constant([[5], [6]], tf.int32)
    out = networks.CriticMultiplexer(critic_network=tf.identity)(observation, action)
    assert out.dtype == tf.float32
    np.testing.assert_array_equal(out.numpy(), [[1, 2, 5], [3, 4, 6]])
    # With no networks at all it is plain batch_concat (nested observations too).
    out = networks.CriticMultiplexer()({'a': observation, 'b': tf.ones([2, 1, 2])}, action)
    np.testing.assert_array_equal(out.numpy(), [[1, 2, 1, 1, 5], [3, 4, 1, 1, 6]])


def test_critic_multiplexer_applies_each_network():
    multiplexer = networks.CriticMultiplexer(
        critic_network=lambda x: tf.reduce_sum(x, axis=-1, keepdims=True),
        observation_network=lambda o: o * 10.0,
        action_network=lambda a: a + 1.0)
    out = multiplexer(_float32([[1.0, 2.0]]), _float32([[0.5]]))
    np.testing.assert_allclose(out.numpy(), [[31.5]])


# ---------------------------------------------------------------- distributional


def test_discrete_valued_head_mean_is_probability_weighted_values():
    head = networks.DiscreteValuedHead(-10.0, 10.0, 51)
    inputs = tf.random.stateless_normal([4, 6], seed=[1, 2])
    dist = head(inputs)
    assert isinstance(dist, networks.DiscreteValuedDistribution)
    layer = head._distributional_layer
    logits = inputs.numpy() @ layer.w.numpy() + layer.b.numpy()
    probs = np.exp(logits - logits.max(-1, keepdims=True))
    probs /= probs.sum(-1, keepdims=True)
    values = np.linspace(-10.0, 10.0, 51)
    np.testing.assert_allclose(dist.values.numpy(), values, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(dist.logits.numpy(), logits, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(dist.probs_parameter().numpy(), probs, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(dist.mean().numpy(), probs @ values, rtol=1e-5, atol=1e-5)
    assert dist.mean().shape == (4,) and dist.batch_shape == (4,)


def test_discrete_valued_distribution_value_space_statistics():
    values = _float32([-1.0, 0.0, 2.0])
    dist = networks.DiscreteValuedDistribution(values, probs=_float32([[0.2, 0.3, 0.5]]))
    np.testing.assert_allclose(dist.mean().numpy(), [0.8])
    variance = 0.2 * 1.8 ** 2 + 0.3 * 0.8 ** 2 + 0.5 * 1.2 ** 2
    np.testing.assert_allclose(dist.variance().numpy(), [variance], rtol=1e-6)
    np.testing.assert_allclose(dist.mode().numpy(), [2.0])
    np.testing.assert_allclose(dist.prob(_float32([0.0])).numpy(), [0.3], rtol=1e-6)
    np.testing.assert_allclose(dist.cdf(_float32([0.5])).numpy(), [0.5], rtol=1e-6)
    samples = dist.sample(3000, seed=3).numpy()
    assert samples.shape == (3000, 1) and set(np.unique(samples)) <= {-1.0, 0.0, 2.0}
    assert abs(np.mean(samples == 2.0) - 0.5) < 0.05
    with pytest.raises(ValueError, match='4 atoms'):
        networks.DiscreteValuedDistribution(tf.zeros([4]), logits=tf.zeros([2, 3]))


def test_discrete_valued_head_rejects_bad_support():
    with pytest.raises(ValueError, match='vmin < vmax'):
        networks.DiscreteValuedHead(1.0, -1.0, 11)
    with pytest.raises(ValueError, match='num_atoms'):
        networks.DiscreteValuedHead(-1.0, 1.0, 1)


def test_multivariate_normal_diag_head_scale_and_shapes():
    head = networks.MultivariateNormalDiagHead(3, init_scale=0.3, min_scale=1e-3)
    dist = head(tf.zeros([5, 4]))
    assert isinstance(dist, tfd.MultivariateNormalDiag)
    assert dist.sample().shape == (5, 3) and dist.event_shape == (3,)
    # Zero inputs and zero biases: mean 0 and scale = init_scale + min_scale.
    np.testing.assert_allclose(dist.mean().numpy(), np.zeros([5, 3]))
    np.testing.assert_allclose(dist.stddev().numpy(), np.full([5, 3], 0.301), rtol=1e-6)
    # Saturating the scale layer's softplus leaves exactly min_scale.
    head = networks.MultivariateNormalDiagHead(
        3, min_scale=1e-3, w_init=snt.initializers.Constant(1.0))
    stddev = head(tf.fill([2, 4], -1000.0)).stddev().numpy()
    np.testing.assert_allclose(stddev, np.full([2, 3], 1e-3))
    stddev = head(tf.random.stateless_normal([64, 4], seed=[0, 1]) * 10).stddev().numpy()
    assert np.all(stddev >= 1e-3)


def test_multivariate_normal_diag_head_options():
    head = networks.MultivariateNormalDiagHead(
        2, init_scale=0.5, fixed_scale=True, tanh_mean=True, use_tfd_independent=True,
        w_init=snt.initializers.Constant(1.0))
    dist = head(tf.fill([3, 4], 10.0))
    assert isinstance(dist, tfd.Independent) and dist.event_shape == (2,)
    np.testing.assert_allclose(dist.mean().numpy(), np.tanh(np.full([3, 2], 40.0)))
    np.testing.assert_allclose(dist.stddev().numpy(), np.full([3, 2], 0.5))


# ---------------------------------------------------------------- discrete heads


def test_duelling_mlp_mean_q_equals_value():
    head = networks.DuellingMLP(num_actions=5, hidden_sizes=[16, 8])
    inputs = tf.random.stateless_normal([7, 4], seed=[4, 5])
    q_values = head(inputs).numpy()
    assert q_values.shape == (7, 5)
    value, advantages = (t.numpy() for t in head.value_and_advantages(inputs))
    np.testing.assert_allclose(q_values.mean(axis=-1), value[:, 0], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(q_values - q_values.mean(-1, keepdims=True),
                               advantages - advantages.mean(-1, keepdims=True),
                               rtol=1e-5, atol=1e-5)


def test_dqn_atari_network_on_uint8_frames():
    network = networks.DQNAtariNetwork(num_actions=6)
    frames = tf.random.stateless_uniform([2, 84, 84, 4], seed=[6, 7], maxval=256,
                                         dtype=tf.int32)
    frames = tf.cast(frames, tf.uint8)
    q_values = network(frames)
    assert q_values.shape == (2, 6) and q_values.dtype == tf.float32
    # uint8 frames are scaled to [0, 1]: the same as feeding the scaled floats.
    scaled = tf.cast(frames, tf.float32) / 255.0
    np.testing.assert_allclose(network(scaled).numpy(), q_values.numpy(), rtol=1e-5,
                               atol=1e-6)
    torso = networks.AtariTorso()
    # SAME padding (Sonnet's default, as in Acme): 84 -> 21 -> 11 -> 11.
    assert torso(frames).shape == (2, 11 * 11 * 64)
    conv_shapes = [v.shape.as_list() for v in torso.trainable_variables
                   if v.shape.rank == 4]
    assert sorted(conv_shapes) == sorted([[8, 8, 4, 32], [4, 4, 32, 64], [3, 3, 64, 64]])


def test_policy_value_head_shapes():
    logits, value = networks.PolicyValueHead(4)(tf.ones([3, 8]))
    assert logits.shape == (3, 4) and value.shape == (3,)


def test_lstm_policy_value_network_step_and_unroll_agree():
    network = networks.LSTMPolicyValueNetwork(num_actions=3, hidden_size=8)
    state = network.initial_state(2)
    sequence = tf.random.stateless_normal([4, 2, 5], seed=[8, 9])
    step_logits = []
    step_state = state
    for t in range(4):
        (logits, value), step_state = network(sequence[t], step_state)
        assert logits.shape == (2, 3) and value.shape == (2,)
        step_logits.append(logits.numpy())
    (logits, values), final_state = network.unroll(sequence, state)
    assert logits.shape == (4, 2, 3) and values.shape == (4, 2)
    np.testing.assert_allclose(logits.numpy(), np.stack(step_logits), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(final_state.hidden.numpy(), step_state.hidden.numpy(),
                               rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------- stochastic heads


def test_stochastic_heads():
    dist = networks.DiscreteValuedDistribution(_float32([-1.0, 0.0, 2.0]),
                                               probs=_float32([[0.2, 0.3, 0.5]]))
    np.testing.assert_allclose(networks.StochasticModeHead()(dist).numpy(), [2.0])
    np.testing.assert_allclose(networks.StochasticMeanHead()(dist).numpy(), [0.8])
    normal = tfd.Normal(loc=_float32([[3.0, -3.0]]), scale=_float32([[1e-6, 1e-6]]))
    np.testing.assert_allclose(networks.StochasticSamplingHead()(normal).numpy(),
                               [[3.0, -3.0]], atol=1e-4)


# ---------------------------------------------------------------- epsilon-greedy


def test_epsilon_greedy_exact_probabilities():
    q_values = _float32([[1.0, 3.0, 2.0, 0.0], [5.0, 5.0, 1.0, 1.0]])
    greedy = networks.epsilon_greedy(q_values, 0.0)
    np.testing.assert_array_equal(greedy.sample(50, seed=1).numpy()[:, 0], np.ones(50))
    # Ties share the greedy mass.
    np.testing.assert_allclose(greedy.probs_parameter().numpy(),
                               [[0, 1, 0, 0], [0.5, 0.5, 0, 0]])
    mixed = networks.epsilon_greedy(q_values, 0.2).probs_parameter().numpy()
    np.testing.assert_allclose(mixed[0], [0.05, 0.85, 0.05, 0.05], rtol=1e-6)
    masked = networks.epsilon_greedy(q_values, 0.5, legal_actions_mask=[[1, 0, 1, 1],
                                                                       [0, 1, 1, 1]])
    np.testing.assert_allclose(masked.probs_parameter().numpy(),
                               [[0.5 / 3, 0, 0.5 + 0.5 / 3, 0.5 / 3],
                                [0, 0.5 + 0.5 / 3, 0.5 / 3, 0.5 / 3]], rtol=1e-6)
    with pytest.raises(ValueError, match='1.5'):
        networks.epsilon_greedy(q_values, 1.5)


def test_epsilon_greedy_one_is_uniform():
    q_values = _float32([[0.0, 10.0, 0.0, 0.0]])
    samples = networks.epsilon_greedy(q_values, 1.0).sample(8000, seed=11).numpy()[:, 0]
    frequencies = np.bincount(samples, minlength=4) / samples.size
    np.testing.assert_allclose(frequencies, np.full(4, 0.25), atol=0.03)


# ---------------------------------------------------------------- specs and graphs


def test_create_variables_returns_output_spec():
    observation_spec = specs.Array((5,), np.float32)
    action_spec = specs.BoundedArray((2,), np.float32, -1.0, 1.0)
    policy = snt.Sequential([networks.LayerNormMLP([8, 2]),
                             networks.TanhToSpec(action_spec)])
    assert tf2_utils.create_variables(policy, [observation_spec]) == tf.TensorSpec(
        [2], tf.float32)
    critic = networks.CriticMultiplexer(critic_network=networks.LayerNormMLP([8, 1]))
    assert tf2_utils.create_variables(critic, [observation_spec, action_spec]) == (
        tf.TensorSpec([1], tf.float32))
    frames = specs.Array((84, 84, 4), np.uint8)
    assert tf2_utils.create_variables(networks.DQNAtariNetwork(3), [frames]) == (
        tf.TensorSpec([3], tf.float32))
    # A distribution is not a tensor spec.
    assert tf2_utils.create_variables(
        snt.Sequential([snt.Linear(4), networks.DiscreteValuedHead(-1.0, 1.0, 5)]),
        [observation_spec]) is None


def test_networks_trace_once_under_fixed_input_signature():
    observation_spec = specs.Array((5,), np.float32)
    action_spec = specs.BoundedArray((2,), np.float32, [0.0, -2.0], [4.0, 2.0])
    policy = snt.Sequential([
        networks.LayerNormMLP([16, 2]),
        networks.TanhToSpec(action_spec),
        networks.ClippedGaussian(0.3),
        networks.ClipToSpec(action_spec),
    ])
    critic = networks.CriticMultiplexer(critic_network=snt.Sequential([
        networks.LayerNormMLP([16, 8], activate_final=True),
        networks.DiscreteValuedHead(-5.0, 5.0, 11),
    ]))
    gaussian = snt.Sequential([snt.Linear(8), networks.MultivariateNormalDiagHead(2)])
    q_network = snt.Sequential([networks.DuellingMLP(3, [8])])
    for network, input_specs in ((policy, [observation_spec]),
                                 (critic, [observation_spec, action_spec]),
                                 (gaussian, [observation_spec]),
                                 (q_network, [observation_spec])):
        tf2_utils.create_variables(network, input_specs)
    epsilon = tf.Variable(0.0)
    signature = [tf.TensorSpec([None, 5], tf.float32),
                 tf.TensorSpec([None, 2], tf.float32)]

    @tf.function(input_signature=signature)
    def step(observation, action):
        return {
            'action': policy(observation),
            'q': critic(observation, action).mean(),
            'sample': gaussian(observation).sample(),
            'greedy': networks.epsilon_greedy(q_network(observation), epsilon).sample(),
        }

    for batch_size in (1, 4, 7):
        observation = tf.random.stateless_normal([batch_size, 5], seed=[batch_size, 0])
        action = tf.random.stateless_uniform([batch_size, 2], seed=[batch_size, 1])
        out = step(observation, action)
        assert out['action'].shape == (batch_size, 2)
        assert np.all(out['action'].numpy() >= [0.0, -2.0])
        assert np.all(out['action'].numpy() <= [4.0, 2.0])
        expected_q = critic(observation, action).mean().numpy()
        np.testing.assert_allclose(out['q'].numpy(), expected_q, rtol=1e-5, atol=1e-6)
        assert out['sample'].shape == (batch_size, 2)
        np.testing.assert_array_equal(out['greedy'].numpy(),
                                      np.argmax(q_network(observation).numpy(), axis=-1))
    # A new exploration rate in the variable takes effect without retracing.
    epsilon.assign(1.0)
    greedy = step(tf.zeros([400, 5]), tf.zeros([400, 2]))['greedy'].numpy()
    assert len(np.unique(greedy)) == 3
    assert step.experimental_get_tracing_count() == 1


def test_modules_without_batch_concat_build_inside_a_graph():
    head = snt.Sequential([networks.AtariTorso(), networks.DuellingMLP(4, [32])])

    @tf.function(input_signature=[tf.TensorSpec([None, 36, 36, 2], tf.uint8)])
    def q_values(frames):
        return head(frames)

    assert q_values(tf.zeros([1, 36, 36, 2], tf.uint8)).shape == (1, 4)
    traces = q_values.experimental_get_tracing_count()  # variable creation may trace twice
    for batch_size in (2, 3):
        frames = tf.zeros([batch_size, 36, 36, 2], tf.uint8)
        assert q_values(frames).shape == (batch_size, 4)
    assert q_values.experimental_get_tracing_count() == traces
