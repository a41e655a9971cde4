"""DDPGLearner: deterministic policy gradients with a learned critic (Acme's TF DDPG).

The critic is trained on the TD target y = r + γ · d · Q'(s', μ'(s')) with the
squared error ½ (y − Q(s, a))²; the policy ascends Q(s', μ(s')) by the DPG
loss. Target updates, clipping and the update loop are
`actor_critic.ActorCriticLearner`'s (see its module docstring).
"""

import tensorflow as tf

from troupe.agents.actor_critic import learning
from troupe.components.losses import continuous


class DDPGLearner(learning.ActorCriticLearner):
    """The DDPG learner; arguments as `actor_critic.ActorCriticLearner`
    (Acme's: policy, critic and their targets, dataset, discount,
    target_update_period, optimizers, observation_network, counter, logger,
    checkpoint, ...)."""

    _default_subdirectory = 'ddpg_learner'
    _role = 'DDPGLearner'

    def _critic_loss(self, o_tm1, a_tm1, r_t, d_t, o_t) -> tf.Tensor:
        """Mean ½ (y − Q(s, a))², y = r + γ · d · Q'(s', μ'(s'))."""
        q_tm1 = tf.squeeze(self._critic_network(o_tm1, a_tm1), axis=-1)
        a_t = self._target_policy_network(o_t)
        q_t = tf.squeeze(self._target_critic_network(o_t, a_t), axis=-1)
        # With one critic the clipped double-Q target is DDPG's target.
        target = continuous.clipped_double_q_target(r_t, d_t, q_t, q_t, self._discount)
        return tf.reduce_mean(0.5 * tf.square(target - q_tm1))

    def _policy_value(self, observation, action) -> tf.Tensor:
        """Q(s, a) of the online critic, shape [B]."""
        return tf.squeeze(self._critic_network(observation, action), axis=-1)
