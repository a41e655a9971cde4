"""A2C: the single-process advantage actor-critic agent, a thin wrapper of
`LocalAgent(A2CBuilder(A2CConfig(...)), ...)`.

The actor samples the softmax policy and writes (T + 1)-step sequences through
a `SequenceAdder` into a FIFO queue; the `A2CLearner` takes one update per
complete batch of `batch_size` sequences, each consumed once. Call `close()`
(or use the agent as a context manager) to stop its server.
"""

from typing import Optional

import sonnet as snt

from troupe import specs
from troupe.agents import local
from troupe.agents.a2c import builder as builder_lib
from troupe.agents.a2c import config as config_lib
from troupe.components import counting, loggers

# The positional order of the hyperparameters after `network`.
_POSITIONAL = ('sequence_length', 'batch_size', 'discount', 'learning_rate',
               'entropy_cost', 'baseline_cost', 'lambda_', 'n_step',
               'max_gradient_norm', 'max_abs_reward', 'max_queue_size')


class A2C(local.LocalAgent):
    """Advantage actor-critic with GAE(λ) (or n-step) advantages, entropy bonus
    and value loss, on-policy.

    `A2C(environment_spec, network=None, sequence_length=20, batch_size=2, ...,
    counter=None, logger=None, checkpoint=True, checkpoint_subpath='~/troupe/',
    device=None, **hyperparameters)`: the hyperparameters are the fields of
    `A2CConfig` (the first eleven may be given positionally, in `_POSITIONAL`'s
    order), or a whole `config=`.
    """

    def __init__(self,
                 environment_spec: specs.EnvironmentSpec,
                 network: Optional[snt.Module] = None,
                 *args,
                 config: Optional[config_lib.A2CConfig] = None,
                 counter: Optional[counting.Counter] = None,
                 logger: Optional[loggers.Logger] = None,
                 checkpoint: bool = True,
                 checkpoint_subpath: str = '~/troupe/',
                 device: Optional[str] = None,
                 **hyperparameters):
        """Builds the agent.

        Args:
          environment_spec: the environment's specs; actions must be discrete.
          network: [B, ...] observations -> (logits [B, A], value [B])
            (default: `A2CBuilder.make_networks`, a `PolicyValueMLP` of
            `hidden_sizes`).
          *args: hyperparameters in `_POSITIONAL`'s order.
          config: all hyperparameters at once (keywords replace its fields).
          counter: the learner's counter.
          logger: the learner's logger.
          checkpoint: whether the learner's state is checkpointed.
          checkpoint_subpath: the checkpoint root directory.
          device: the learner's device (default: first GPU, else CPU).
          **hyperparameters: fields of `A2CConfig`.
        """
        config = local.make_config(config_lib.A2CConfig, config, _POSITIONAL, args,
                                   hyperparameters)
        super().__init__(builder_lib.A2CBuilder(config, network), environment_spec,
                         network, counter=counter, logger=logger, device=device,
                         checkpoint=checkpoint, checkpoint_subpath=checkpoint_subpath)
