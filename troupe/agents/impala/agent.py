"""IMPALA: the single-process importance-weighted actor-learner agent, a thin
wrapper of `LocalAgent(IMPALABuilder(IMPALAConfig(...)), ...)`.

The actor (recurrent when the network is an `snt.RNNCore`) stores the
behaviour policy's log-probabilities (and its core state) with every step;
the learner corrects for the policy lag with V-trace. Acting, the sequence
queue and the schedule are the on-policy family's (see
`troupe.agents.on_policy`); call `close()` (or use a `with` block) to stop its
server.
"""

from typing import Optional

import sonnet as snt

from troupe import specs
from troupe.agents import local
from troupe.agents.impala import builder as builder_lib
from troupe.agents.impala import config as config_lib
from troupe.components import counting, loggers

# The positional order of the hyperparameters after `network`.
_POSITIONAL = ('sequence_length', 'batch_size', 'discount', 'learning_rate',
               'entropy_cost', 'baseline_cost', 'clip_rho_threshold',
               'clip_pg_rho_threshold', 'lambda_', 'max_gradient_norm',
               'max_abs_reward', 'max_queue_size')


class IMPALA(local.LocalAgent):
    """IMPALA with V-trace, feed-forward or recurrent (LSTM).

    `IMPALA(environment_spec, network=None, sequence_length=20, batch_size=2,
    ..., counter=None, logger=None, checkpoint=True,
    checkpoint_subpath='~/troupe/', device=None, **hyperparameters)`: the
    hyperparameters are the fields of `IMPALAConfig` (the first twelve may be
    given positionally, in `_POSITIONAL`'s order), or a whole `config=`.
    """

    def __init__(self,
                 environment_spec: specs.EnvironmentSpec,
                 network: Optional[snt.Module] = None,
                 *args,
                 config: Optional[config_lib.IMPALAConfig] = None,
                 counter: Optional[counting.Counter] = None,
                 logger: Optional[loggers.Logger] = None,
                 checkpoint: bool = True,
                 checkpoint_subpath: str = '~/troupe/',
                 device: Optional[str] = None,
                 **hyperparameters):
        """Builds the agent.

        Args:
          environment_spec: the environment's specs; actions must be discrete.
          network: (logits, value) network, feed-forward or an `snt.RNNCore`
            (default: `IMPALABuilder.make_networks`, see `impala.make_network`).
          *args: hyperparameters in `_POSITIONAL`'s order.
          config: all hyperparameters at once (keywords replace its fields).
          counter: the learner's counter.
          logger: the learner's logger.
          checkpoint: whether the learner's state is checkpointed.
          checkpoint_subpath: the checkpoint root directory.
          device: the learner's device (default: first GPU, else CPU).
          **hyperparameters: fields of `IMPALAConfig`.
        """
        config = local.make_config(config_lib.IMPALAConfig, config, _POSITIONAL,
                                   args, hyperparameters)
        super().__init__(builder_lib.IMPALABuilder(config, network), environment_spec,
                         network, counter=counter, logger=logger, device=device,
                         checkpoint=checkpoint, checkpoint_subpath=checkpoint_subpath)
