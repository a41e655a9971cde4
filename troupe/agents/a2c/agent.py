"""A2C: the single-process advantage actor-critic agent.

The actor samples the softmax policy and writes (T + 1)-step sequences through
a `SequenceAdder` into a FIFO queue; the `A2CLearner` takes one update per
batch of `batch_size` sequences, each consumed once (see `on_policy`).
Call `close()` (or use the agent as a context manager) to stop its server.
"""

from typing import Optional

import sonnet as snt

from troupe import specs
from troupe.agents.a2c import builder
from troupe.agents.a2c import config as config_lib
from troupe.agents.a2c import on_policy
from troupe.components import counting, loggers


class A2C(on_policy.OnPolicyAgent):
    """Advantage actor-critic with GAE(λ) (or n-step) advantages, entropy bonus
    and value loss, on-policy."""

    def __init__(self,
                 environment_spec: specs.EnvironmentSpec,
                 network: snt.Module,
                 sequence_length: int = 20,
                 batch_size: int = 2,
                 discount: float = 0.99,
                 learning_rate: float = 1e-3,
                 entropy_cost: float = 0.01,
                 baseline_cost: float = 0.5,
                 lambda_: float = 0.95,
                 n_step: Optional[int] = None,
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
          network: [B, ...] observations -> (logits [B, A], value [B]), e.g.
            `a2c.make_network(environment_spec)`.
          sequence_length: T, steps per sequence (>= 1).
          batch_size: sequences per update (>= 1).
          discount: the agent discount in [0, 1].
          learning_rate: Adam's learning rate (> 0).
          entropy_cost: weight of the entropy bonus (>= 0).
          baseline_cost: weight of the value loss (>= 0).
          lambda_: GAE's λ in [0, 1].
          n_step: if set (>= 1), n-step returns instead of GAE.
          max_gradient_norm: global gradient-norm clip (None: no clipping).
          max_abs_reward: reward clip (None: no clipping).
          max_queue_size: the queue's capacity.
          counter: the learner's counter.
          logger: the learner's logger.
          checkpoint: whether the learner checkpoints.
          checkpoint_subpath: the checkpoint root directory.
          device: the learner's device (default: first GPU, else CPU).
        """
        config = config_lib.A2CConfig(
            sequence_length=sequence_length, batch_size=batch_size,
            discount=discount, learning_rate=learning_rate,
            entropy_cost=entropy_cost, baseline_cost=baseline_cost,
            lambda_=lambda_, n_step=n_step, max_gradient_norm=max_gradient_norm,
            max_abs_reward=max_abs_reward, max_queue_size=max_queue_size)
        self.config = config

        def make_learner(net, dataset, learner_device):
            return builder.make_learner(
                net, dataset, config, counter=counter, logger=logger,
                checkpoint=checkpoint, device=learner_device,
                directory=checkpoint_subpath)

        actor, learner, server = builder.make_single_process_parts(
            environment_spec, network, config, make_learner, device, 'A2C')
        super().__init__(actor, learner, server, config.replay_table_name,
                         config.batch_size, check_period=config.sequence_length)
