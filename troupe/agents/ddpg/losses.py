"""Acme's DPG loss with dQ/da clipping, a pure function of tensors.

It belongs beside `deterministic_policy_gradient_loss` in
`troupe.components.losses.continuous` (which has no clipping); it lives here
until the losses package exports it.
"""

from typing import Optional

import tensorflow as tf


def dpg(dqda: tf.Tensor, action: tf.Tensor, dqda_clipping: Optional[float] = None,
        clip_norm: bool = False) -> tf.Tensor:
    """The DPG loss 0.5 · ‖stop_gradient(a + g) − a‖², per example.

    g = ∂Q(s, a)/∂a at a = μ(s), optionally clipped: to the ball of radius c per
    example (`clip_norm`) or to [−c, c] per component. The loss's gradient with
    respect to the policy parameters θ is −g · ∂μ(s)/∂θ, i.e. the deterministic
    policy gradient (Silver et al., 2014) with a bounded action-gradient, as in
    Acme's and trfl's `dpg`.

    Args:
      dqda: ∂Q/∂a at the policy's actions, shape [B, A] (e.g. from a tape).
      action: the policy's actions μ(s), shape [B, A], differentiable in θ.
      dqda_clipping: c > 0, or None for no clipping.
      clip_norm: clip the per-example norm of g to c instead of its components.

    Returns:
      The per-example loss, shape [B].
    """
    if dqda_clipping is not None and not dqda_clipping > 0:
        raise ValueError(f'dqda_clipping must be > 0 or None, got {dqda_clipping!r}.')
    action = tf.convert_to_tensor(action)
    dqda = tf.convert_to_tensor(dqda, dtype=action.dtype)
    if not dqda.shape.is_compatible_with(action.shape):
        raise ValueError(f'dqda has shape {dqda.shape} but action has shape '
                         f'{action.shape}; expected the same shape.')
    if dqda_clipping is not None:
        if clip_norm:
            dqda = tf.clip_by_norm(dqda, dqda_clipping, axes=[-1])
        else:
            dqda = tf.clip_by_value(dqda, -dqda_clipping, dqda_clipping)
    target = tf.stop_gradient(action + dqda)
    return 0.5 * tf.reduce_sum(tf.square(target - action), axis=-1)
