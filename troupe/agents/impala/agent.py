"""IMPALA: the single-process importance-weighted actor-learner agent.

The actor (recurrent when the network is an `snt.RNNCore`) stores the
behaviour policy's log-probabilities (and its core state) with every step;
the learner corrects for the policy lag with V-trace. Acting, the sequence
queue and the schedule are the on-policy family's (see `a2c.on_policy`); call
`close()` (or use a `with` block) to stop its server.
"""

from typing import Optional

import sonnet as snt

from troupe import specs
from troupe.agents.a2c import builder as a2c_builder
from troupe.agents.a2c import on_policy
from troupe.agents.impala import builder
from troupe.agents.impala import config as config_lib
from troupe.components import counting, loggers


class IMPALA(on_policy.OnPolicyAgent):
    """IMPALA with V-trace, feed-forward or recurrent (LSTM)."""

    def __init__(self,
                 environment_spec: specs.EnvironmentSpec,
                 network: snt.Module,
                 sequence_length: int = 20,
                 batch_size: int = 2,
                 discount: float = 0.99,
                 learning_rate: float = 1e-3,
                 entropy_cost: float = 0.01,
                 baseline_cost: float = 0.5,
                 clip_rho_threshold: Optional[float] = 1.0,
                 clip_pg_rho_threshold: Optional[float] = 1.0,
                 lambda_: float = 1.0,
                 max_gradient_norm: Optional[float] = None,
                 max_abs_reward: Optional[float] = None,
                 max_queue_size: int = 10_000,
                 counter: Optional[counting.Counter] = None,
                 logger: Optional[loggers.Logger] = None,
                 checkpoint: bool = True,
                 checkpoint_subpath: str = '~/troupe/',
                 device: Optional[str] = None):
        """Builds the agent.

        Args:
          environment_spec: the environment's specs; actions must be discrete.
          network: (logits, value) network, feed-forward or an `snt.RNNCore`
            (see `impala.make_network`).
          sequence_length: T, steps per sequence (>= 1).
          batch_size: sequences per update (>= 1).
          discount: the agent discount in [0, 1].
          learning_rate: Adam's learning rate (> 0).
          entropy_cost: weight of the entropy bonus (>= 0).
          baseline_cost: weight of the value loss (>= 0).
          clip_rho_threshold: V-trace's ρ̄ for value targets (>= 0 or None).
          clip_pg_rho_threshold: V-trace's ρ̄ for advantages (>= 0 or None).
          lambda_: V-trace's λ in [0, 1].
          max_gradient_norm: global gradient-norm clip (None: no clipping).
          max_abs_reward: reward clip (None: no clipping).
          max_queue_size: the queue's capacity.
          counter: the learner's counter.
          logger: the learner's logger.
          checkpoint: whether the learner checkpoints.
          checkpoint_subpath: the checkpoint root directory.
          device: the learner's device (default: first GPU, else CPU).
        """
        config = config_lib.IMPALAConfig(
            sequence_length=sequence_length, batch_size=batch_size,
            discount=discount, learning_rate=learning_rate,
            entropy_cost=entropy_cost, baseline_cost=baseline_cost,
            clip_rho_threshold=clip_rho_threshold,
            clip_pg_rho_threshold=clip_pg_rho_threshold, lambda_=lambda_,
            max_gradient_norm=max_gradient_norm, max_abs_reward=max_abs_reward,
            max_queue_size=max_queue_size)
        self.config = config

        def make_learner(net, dataset, learner_device):
            return builder.make_learner(
                net, dataset, config, counter=counter, logger=logger,
                checkpoint=checkpoint, device=learner_device,
                directory=checkpoint_subpath)

        actor, learner, server = a2c_builder.make_single_process_parts(
            environment_spec, network, config, make_learner, device, 'IMPALA')
        super().__init__(actor, learner, server, config.replay_table_name,
                         config.batch_size, check_period=config.sequence_length)
