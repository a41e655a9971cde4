"""Tests for troupe.components.losses.distributional: the C51 projection and loss."""

import numpy as np
import pytest
import tensorflow as tf

from troupe.components.losses import distributional
from troupe.components.networks.distributions import DiscreteValuedDistribution

SUPPORT = [-1.0, 0.0, 1.0]


def _np_project(z_p, p, z_q):
    """Gives each clipped source atom's mass to its two neighbours on z_q, one by one."""
    out = np.zeros(len(z_q))
    for z, mass in zip(np.clip(z_p, z_q[0], z_q[-1]), p):
        upper = np.searchsorted(z_q, z)  # first index with z_q[upper] >= z
        if z_q[upper] == z:
            out[upper] += mass
            continue
        lower = upper - 1
        fraction = (z - z_q[lower]) / (z_q[upper] - z_q[lower])
        out[lower] += (1 - fraction) * mass
        out[upper] += fraction * mass
    return out


def test_l2_project_shifted_distribution_by_hand():
    # Atoms [-1, 0, 1] shifted by r = 0.5: [-0.5, 0.5, 1.5] with p = [0.2, 0.5, 0.3].
    #   -0.5 is halfway between -1 and 0: 0.1 to each.
    #    0.5 is halfway between 0 and 1: 0.25 to each.
    #    1.5 is clipped to 1: 0.3 to 1.
    # Projection: [0.1, 0.1 + 0.25, 0.25 + 0.3] = [0.1, 0.35, 0.55].
    z_p = tf.constant([[-0.5, 0.5, 1.5]])
    p = tf.constant([[0.2, 0.5, 0.3]])
    projected = distributional.l2_project(z_p, p, tf.constant(SUPPORT))
    np.testing.assert_allclose(projected.numpy(), [[0.1, 0.35, 0.55]], rtol=1e-6)


def test_l2_project_uneven_support_and_more_source_atoms_by_hand():
    # Support [0, 1, 3]; atoms [0.5, 2, 4, -1] with p = [0.1, 0.2, 0.3, 0.4].
    #   0.5: 0.05 to 0 and 0.05 to 1; 2 (halfway between 1 and 3): 0.1 to each;
    #   4 -> 3: 0.3 to 3; -1 -> 0: 0.4 to 0.
    # Projection: [0.45, 0.15, 0.4].
    projected = distributional.l2_project(
        tf.constant([0.5, 2.0, 4.0, -1.0]), tf.constant([[0.1, 0.2, 0.3, 0.4]]),
        tf.constant([0.0, 1.0, 3.0]))
    np.testing.assert_allclose(projected.numpy(), [[0.45, 0.15, 0.4]], rtol=1e-6)


def test_l2_project_batched_atoms_match_numpy_and_keep_mass():
    rng = np.random.default_rng(0)
    batch, num_atoms = 5, 11
    z_q = np.linspace(-3.0, 3.0, num_atoms).astype(np.float32)
    rewards = rng.normal(size=[batch, 1]).astype(np.float32)
    discounts = np.array([[0.9], [0.0], [0.9], [0.5], [1.0]], np.float32)
    z_p = rewards + discounts * z_q  # r + g z, as in D4PG
    p = rng.dirichlet(np.ones(num_atoms), size=batch).astype(np.float32)
    projected = distributional.l2_project(z_p, p, z_q).numpy()
    expected = np.stack([_np_project(z_p[b], p[b], z_q) for b in range(batch)])
    np.testing.assert_allclose(projected, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(projected.sum(axis=1), np.ones(batch), rtol=1e-5)


def test_l2_project_onto_its_own_support_is_the_identity():
    p = tf.constant([[0.2, 0.5, 0.3], [1.0, 0.0, 0.0]])
    projected = distributional.l2_project(tf.constant(SUPPORT), p, tf.constant(SUPPORT))
    np.testing.assert_allclose(projected.numpy(), p.numpy(), rtol=1e-6)


def test_categorical_td_loss_by_hand():
    # Target: p_t = [0.2, 0.5, 0.3] on [-1, 0, 1], r = 0.5, d = 1 -> [0.1, 0.35, 0.55]
    # (the projection above). Online: q_tm1 = [0.25, 0.25, 0.5].
    # Cross-entropy = -(0.1 ln 0.25 + 0.35 ln 0.25 + 0.55 ln 0.5)
    #               = 0.45 * 2 ln 2 + 0.55 ln 2 = 1.45 ln 2.
    logits_tm1 = tf.Variable(np.log([[0.25, 0.25, 0.5]]).astype(np.float32))
    logits_t = tf.Variable(np.log([[0.2, 0.5, 0.3]]).astype(np.float32))
    with tf.GradientTape() as tape:
        loss = distributional.categorical_td_loss(
            logits_tm1, tf.constant([0.5]), tf.constant([1.0]), logits_t,
            tf.constant(SUPPORT))
    np.testing.assert_allclose(loss.numpy(), [1.45 * np.log(2.0)], rtol=1e-6)
    grad_tm1, grad_t = tape.gradient(loss, [logits_tm1, logits_t])
    # d CE / d logits = softmax(logits_tm1) - target = [0.15, -0.1, -0.05].
    np.testing.assert_allclose(grad_tm1.numpy(), [[0.15, -0.1, -0.05]], atol=1e-6)
    assert grad_t is None  # the target is held constant


def test_categorical_on_distributions_matches_the_logits_helper():
    rng = np.random.default_rng(1)
    atoms = tf.constant(np.linspace(-2.0, 2.0, 5), tf.float32)
    logits_tm1 = tf.constant(rng.normal(size=[4, 5]), tf.float32)
    logits_t = tf.constant(rng.normal(size=[4, 5]), tf.float32)
    r_t = tf.constant([0.0, 1.0, -0.5, 3.0])
    d_t = tf.constant([0.99, 0.0, 0.5, 0.99])
    loss = distributional.categorical(
        DiscreteValuedDistribution(values=atoms, logits=logits_tm1), r_t, d_t,
        DiscreteValuedDistribution(values=atoms, logits=logits_t))
    expected = distributional.categorical_td_loss(logits_tm1, r_t, d_t, logits_t, atoms)
    assert loss.shape == (4,)
    np.testing.assert_allclose(loss.numpy(), expected.numpy(), rtol=1e-6)
    # d_t = 0 puts all target mass on the atom of r = 1: the loss is -log q_tm1(1).
    np.testing.assert_allclose(loss.numpy()[1], -tf.nn.log_softmax(logits_tm1[1])[3],
                               rtol=1e-5)


def test_identical_under_jit_compile():
    rng = np.random.default_rng(2)
    args = (tf.constant(rng.normal(size=[3, 7]), tf.float32), tf.constant([0.3, -1.0, 2.0]),
            tf.constant([0.9, 0.0, 0.5]), tf.constant(rng.normal(size=[3, 7]), tf.float32),
            tf.constant(np.linspace(-1.0, 1.0, 7), tf.float32))
    eager = distributional.categorical_td_loss(*args)
    compiled = tf.function(distributional.categorical_td_loss, jit_compile=True)(*args)
    np.testing.assert_allclose(compiled.numpy(), eager.numpy(), rtol=1e-5)
    z_p = args[1][:, None] + args[2][:, None] * args[4]
    p = tf.nn.softmax(args[3])
    np.testing.assert_allclose(
        tf.function(distributional.l2_project, jit_compile=True)(z_p, p, args[4]).numpy(),
        distributional.l2_project(z_p, p, args[4]).numpy(), rtol=1e-6, atol=1e-7)


def test_input_checks():
    p = tf.constant([[0.2, 0.5, 0.3]])
    with pytest.raises(ValueError, match=r'z_q must be strictly increasing'):
        distributional.l2_project(tf.constant(SUPPORT), p, tf.constant([0.0, 2.0, 1.0]))
    with pytest.raises(ValueError, match=r'z_q must be a vector.*\(1, 3\)'):
        distributional.l2_project(tf.constant(SUPPORT), p, tf.constant([SUPPORT]))
    with pytest.raises(ValueError, match=r'z_p has shape \(2, 3\) but p has shape \(1, 3\)'):
        distributional.l2_project(tf.zeros([2, 3]), p, tf.constant(SUPPORT))
    with pytest.raises(ValueError, match=r'z_p has shape \(4,\) but p has shape \(1, 3\)'):
        distributional.l2_project(tf.zeros([4]), p, tf.constant(SUPPORT))
    with pytest.raises(ValueError, match=r'logits_t has shape \(2, 3\) but logits_tm1 has '
                                         r'shape \(1, 3\)'):
        distributional.categorical_td_loss(p, [0.0], [1.0], tf.zeros([2, 3]), SUPPORT)
    with pytest.raises(ValueError, match=r'r_t has shape \(2,\) but logits_tm1'):
        distributional.categorical_td_loss(p, [0.0, 1.0], [1.0, 1.0], p, SUPPORT)
    with pytest.raises(ValueError, match=r'atoms has shape \(4,\)'):
        distributional.categorical_td_loss(p, [0.0], [1.0], p, [0.0, 1.0, 2.0, 3.0])
