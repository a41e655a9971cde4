"""ReinforceLearner: the policy gradient with Monte-Carlo returns and a learned
state-value baseline (Williams, 1992; Sutton & Barto, 2018, section 13.4)."""

import tensorflow as tf

from troupe.agents.on_policy import learning
from troupe.components.losses import advantages as advantages_lib


class ReinforceLearner(learning.OnPolicyLearner):
    """REINFORCE with baseline: G_t = r_t + γ_t G_{t+1} to the sequence end
    (bootstrapped with V there), advantage G_t - V(s_t), V regressed on G_t.

    Arguments are those of `on_policy.OnPolicyLearner`.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault('checkpoint_subdirectory', 'reinforce_learner')
        kwargs.setdefault('label', 'ReinforceLearner')
        super().__init__(*args, **kwargs)

    def _targets(self, sequences, logits, values) -> learning.Targets:
        del logits
        values = tf.stop_gradient(values)
        returns = advantages_lib.discounted_returns(
            sequences.reward, sequences.discount, values[-1])
        return returns, None
