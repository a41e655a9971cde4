"""IMPALALearner: actor-critic with V-trace off-policy correction.

The behaviour policy's log-probabilities of the actions taken come with the
sequences (extras 'log_prob'); the learner's current policy gives the target
log-probabilities, and `losses.vtrace` turns both into value targets v_s and
clipped-importance-weighted advantages. A recurrent network (an `snt.RNNCore`
such as `networks.LSTMPolicyValueNetwork`) is unrolled over each sequence from
the core state the actor stored for its first step (extras 'core_state').
"""

from typing import Iterator, Optional, Union

import sonnet as snt
import tensorflow as tf
import tree

from troupe.agents import checks
from troupe.agents.on_policy import learning
from troupe.components import counting, loggers
from troupe.components import utils as tf2_utils
from troupe.components.losses import off_policy as vtrace_lib


class IMPALALearner(learning.OnPolicyLearner):
    """The IMPALA learner; serves the network's variables as 'policy'."""

    def __init__(self,
                 network: snt.Module,
                 dataset: Union[tf.data.Dataset, Iterator],
                 discount: float = 0.99,
                 learning_rate: float = 1e-3,
                 entropy_cost: float = 0.01,
                 baseline_cost: float = 0.5,
                 clip_rho_threshold: Optional[float] = 1.0,
                 clip_pg_rho_threshold: Optional[float] = 1.0,
                 lambda_: float = 1.0,
                 max_gradient_norm: Optional[float] = None,
                 max_abs_reward: Optional[float] = None,
                 counter: Optional[counting.Counter] = None,
                 logger: Optional[loggers.Logger] = None,
                 checkpoint: bool = True,
                 device: Optional[str] = None,
                 **kwargs):
        """See `on_policy.OnPolicyLearner`.

        `network` is feed-forward ([B, ...] -> (logits, value)) or an
        `snt.RNNCore` ((observations, state) -> ((logits, value), state)); the
        sequences' extras must then hold 'core_state'. The clip thresholds
        (>= 0 or None) and λ in [0, 1] are V-trace's.
        """
        for name, value in (('clip_rho_threshold', clip_rho_threshold),
                            ('clip_pg_rho_threshold', clip_pg_rho_threshold)):
            if value is not None:
                checks.check_non_negative(name, value)
        checks.check_unit_interval('lambda_', lambda_)
        self._clip_rho = clip_rho_threshold
        self._clip_pg_rho = clip_pg_rho_threshold
        self._lambda = float(lambda_)
        self._recurrent = isinstance(network, snt.RNNCore)
        kwargs.setdefault('checkpoint_subdirectory', 'impala_learner')
        kwargs.setdefault('label', 'IMPALALearner')
        super().__init__(network, dataset, discount, learning_rate, entropy_cost,
                         baseline_cost, max_gradient_norm, max_abs_reward, counter,
                         logger, checkpoint, device, **kwargs)

    def _create_variables(self, data_spec) -> None:
        if not self._recurrent:
            super()._create_variables(data_spec)
            return
        if 'core_state' not in data_spec.extras:
            raise ValueError(
                'A recurrent network needs the core state of each sequence\'s first '
                'step in the extras (\'core_state\'); the dataset\'s extras are '
                f'{sorted(data_spec.extras)}.')
        observation = tf2_utils.zeros_like(learning.unbatched(data_spec.observation), 1)
        self._network(tree.map_structure(tf.convert_to_tensor, observation),
                      self._network.initial_state(1))

    def _forward(self, observation, extras):
        if not self._recurrent:
            return super()._forward(observation, extras)
        state = tree.map_structure(lambda s: s[0], extras['core_state'])
        if hasattr(self._network, 'unroll'):
            outputs, _ = self._network.unroll(observation, state)
        else:
            outputs, _ = snt.dynamic_unroll(self._network, observation, state)
        return outputs

    def _targets(self, sequences, logits, values) -> learning.Targets:
        values = tf.stop_gradient(values)
        target_log_probs = -tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=sequences.action, logits=tf.stop_gradient(logits[:-1]))
        behaviour_log_probs = tf.cast(sequences.extras['log_prob'][:-1],
                                      target_log_probs.dtype)
        returns = vtrace_lib.vtrace(
            behaviour_log_probs, target_log_probs, sequences.reward,
            sequences.discount, values[:-1], values[-1],
            clip_rho_threshold=self._clip_rho,
            clip_pg_rho_threshold=self._clip_pg_rho, lambda_=self._lambda)
        return returns.vs, returns.pg_advantages
