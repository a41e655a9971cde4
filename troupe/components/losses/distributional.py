"""Categorical (C51 / D4PG) distributional losses.

Bellemare et al., 2017, "A Distributional Perspective on Reinforcement Learning";
Barth-Maron et al., 2018, "Distributed Distributional Deterministic Policy Gradients".
"""

from typing import Any

import numpy as np
import tensorflow as tf

from troupe.components.losses import common


def l2_project(z_p: tf.Tensor, p: tf.Tensor, z_q: tf.Tensor) -> tf.Tensor:
    """Projects the distribution (z_p, p) onto the support z_q (the C51 projection).

    Each atom z_p[j], first clipped to [z_q[0], z_q[-1]], gives its mass p[j] to the
    two neighbouring atoms of z_q in proportion to closeness:
      out[i] = Σ_j clip(1 - |ẑ_j - z_q[i]| / Δ_i(ẑ_j), 0, 1) · p[j],
    with ẑ_j the clipped atom and Δ_i the gap from z_q[i] to its neighbour on the
    side of ẑ_j. This is the L2 (Cramér) projection onto the support; mass is kept.

    Args:
      z_p: source atoms, shape [..., N] or [N] (e.g. r + γ z for a batch, [B, N]).
      p: source probabilities, shape [..., N] (rows sum to 1).
      z_q: target support, shape [M], strictly increasing.

    Returns:
      The projected probabilities on z_q, shape [..., M].
    """
    p = tf.convert_to_tensor(p)
    z_p = tf.convert_to_tensor(z_p, dtype=p.dtype)
    z_q = tf.convert_to_tensor(z_q, dtype=p.dtype)
    if z_q.shape.rank is not None and z_q.shape.rank != 1:
        raise ValueError(f'z_q must be a vector of atoms with shape [M], got shape '
                         f'{z_q.shape}.')
    if z_p.shape.rank == 1:
        if not z_p.shape.is_compatible_with(p.shape[-1:]):
            raise ValueError(f'z_p has shape {z_p.shape} but p has shape {p.shape}; '
                             'expected z_p of shape [N] or the shape of p.')
    else:
        common.check_same_shape([('p', p), ('z_p', z_p)])
    static_support = tf.get_static_value(z_q)
    if static_support is not None and np.any(np.diff(static_support) <= 0):
        raise ValueError(f'z_q must be strictly increasing, got {static_support!r}.')

    gaps = z_q[1:] - z_q[:-1]
    one = tf.ones([1], dtype=p.dtype)
    # Gaps to the next atom above and below each z_q[i]; the padded ones go unused.
    gap_above = tf.concat([gaps, one], axis=0)[:, None]  # z_q[i+1] - z_q[i]
    gap_below = tf.concat([one, gaps], axis=0)[:, None]  # z_q[i] - z_q[i-1]
    clipped = tf.clip_by_value(z_p, z_q[0], z_q[-1])[..., None, :]  # [..., 1, N]
    delta = clipped - z_q[:, None]  # [..., M, N]: ẑ_j - z_q[i]
    gap = tf.where(delta >= 0, gap_above, gap_below)
    weights = tf.clip_by_value(1.0 - tf.abs(delta) / gap, 0.0, 1.0)
    return tf.reduce_sum(weights * p[..., None, :], axis=-1)


def categorical_td_loss(logits_tm1: tf.Tensor, r_t: tf.Tensor, d_t: tf.Tensor,
                        logits_t: tf.Tensor, atoms: tf.Tensor) -> tf.Tensor:
    """Cross-entropy between the projected Bellman target and the online distribution.

    target = stop_gradient(l2_project(r_t + d_t · z, softmax(logits_t), z)),
    loss = -Σ_i target_i · log softmax(logits_tm1)_i, per batch element.

    Args:
      logits_tm1: online logits at (s_{t-1}, a_{t-1}), shape [B, N].
      r_t: rewards, shape [B].
      d_t: discounts, agent discount already multiplied in (γ · d_t), shape [B].
      logits_t: target-network logits at s_t (for the chosen or policy action),
        shape [B, N].
      atoms: the shared support z, shape [N], strictly increasing.

    Returns:
      The per-example loss, shape [B]; gradients reach logits_tm1 only.
    """
    logits_tm1 = tf.convert_to_tensor(logits_tm1)
    dtype = logits_tm1.dtype
    logits_t = tf.convert_to_tensor(logits_t, dtype=dtype)
    r_t = tf.convert_to_tensor(r_t, dtype=dtype)
    d_t = tf.convert_to_tensor(d_t, dtype=dtype)
    atoms = tf.convert_to_tensor(atoms, dtype=dtype)
    common.check_same_shape([('logits_tm1', logits_tm1), ('logits_t', logits_t)])
    common.check_same_shape([('r_t', r_t), ('d_t', d_t)])
    if logits_tm1.shape.rank is not None and not r_t.shape.is_compatible_with(
            logits_tm1.shape[:-1]):
        raise ValueError(f'r_t has shape {r_t.shape} but logits_tm1 has shape '
                         f'{logits_tm1.shape}; expected r_t of shape '
                         f'{logits_tm1.shape[:-1]}.')
    if not atoms.shape.is_compatible_with(logits_tm1.shape[-1:]):
        raise ValueError(f'atoms has shape {atoms.shape} but logits_tm1 has shape '
                         f'{logits_tm1.shape}; expected one atom per logit.')
    z_t = r_t[..., None] + d_t[..., None] * atoms
    target = tf.stop_gradient(l2_project(z_t, tf.nn.softmax(logits_t), atoms))
    return tf.nn.softmax_cross_entropy_with_logits(labels=target, logits=logits_tm1)


def categorical(q_tm1: Any, r_t: tf.Tensor, d_t: tf.Tensor, q_t: Any) -> tf.Tensor:
    """Acme's `losses.categorical`: `categorical_td_loss` on distribution objects.

    Args:
      q_tm1: online distribution with `.logits` [B, N] and `.values` [N] (e.g. a
        `networks.DiscreteValuedDistribution`).
      r_t: rewards, shape [B].
      d_t: discounts including the agent discount, shape [B].
      q_t: target distribution with `.logits` [B, N] on the same `.values`.

    Returns:
      The per-example loss, shape [B].
    """
    return categorical_td_loss(q_tm1.logits, r_t, d_t, q_t.logits, q_t.values)
