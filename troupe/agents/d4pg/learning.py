"""D4PGLearner: DDPG with a distributional (categorical) critic (Acme's TF D4PG).

The critic returns a `DiscreteValuedDistribution` over fixed atoms z. Its loss is
the cross-entropy between the n-step Bellman target r + γ · d · z under the target
networks, projected back onto z (`losses.distributional.categorical`), and the
critic's distribution at (s, a); the policy follows the gradient of the critic's
mean. Everything else (targets, clipping, the update loop) is
`actor_critic.ActorCriticLearner`'s.
"""

import tensorflow as tf

from troupe.agents.actor_critic import learning
from troupe.components.losses import distributional


class D4PGLearner(learning.ActorCriticLearner):
    """The D4PG learner; arguments as `ddpg.DDPGLearner`, with critics that
    return distributions (e.g. ending in `networks.DiscreteValuedHead`)."""

    _default_subdirectory = 'd4pg_learner'
    _role = 'D4PGLearner'

    def _critic_loss(self, o_tm1, a_tm1, r_t, d_t, o_t) -> tf.Tensor:
        """Mean categorical TD loss of Z(s, a) against Π(r + γ·d·Z'(s', μ'(s')))."""
        z_tm1 = self._critic_network(o_tm1, a_tm1)
        z_t = self._target_critic_network(o_t, self._target_policy_network(o_t))
        d_t = tf.cast(self._discount, d_t.dtype) * d_t
        return tf.reduce_mean(distributional.categorical(z_tm1, r_t, d_t, z_t))

    def _policy_value(self, observation, action) -> tf.Tensor:
        """The mean of the online critic's distribution, shape [B]."""
        return self._critic_network(observation, action).mean()
