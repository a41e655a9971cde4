"""NFQ: the single-process neural fitted Q agent of the EEML 2021 RL tutorial.

Transitions go through a 1-step `NStepTransitionAdder` into a uniform Reverb
table; an ε-greedy `FeedForwardActor` shares the learner's Q-network; the
`NFQLearner` takes one minibatch step every `observations_per_step` observations
once `min_replay_size` transitions are stored.
"""

from typing import Optional

import reverb
import sonnet as snt
import tensorflow as tf

from troupe import specs
from troupe.agents import agent as agent_lib
from troupe.agents.dqn import builder as dqn_builder
from troupe.agents.dqn import config as config_lib
from troupe.agents.nfq import learning
from troupe.components import adders, loggers, replay


class NFQ(agent_lib.ReplayAgent):
    """Neural fitted Q-learning with an ε-greedy actor and uniform replay."""

    def __init__(self,
                 environment_spec: specs.EnvironmentSpec,
                 network: snt.Module,
                 batch_size: int = 32,
                 learning_rate: float = 1e-3,
                 epsilon: float = 0.1,
                 discount: float = 0.99,
                 min_replay_size: int = 100,
                 max_replay_size: int = 100_000,
                 observations_per_step: float = 1.0,
                 prefetch_size: int = 2,
                 logger: Optional[loggers.Logger] = None,
                 checkpoint: bool = False,
                 device: Optional[str] = None):
        """Builds the agent.

        Args:
          environment_spec: the environment's specs; actions must be discrete.
          network: the Q-network, [B, ...] observations -> [B, num_actions].
          batch_size: transitions per update (>= 1).
          learning_rate: Adam's learning rate (> 0).
          epsilon: exploration rate in [0, 1].
          discount: the agent discount in [0, 1].
          min_replay_size: transitions stored before learning starts (>= 1).
          max_replay_size: replay capacity (>= min_replay_size).
          observations_per_step: observations per update (> 0; < 1 means
            several updates per observation).
          prefetch_size: batches the dataset prefetches.
          logger: the learner's logger.
          checkpoint: whether the learner checkpoints.
          device: the learner's device; the actor shares its variables, so
            keep it on a CPU for single-process use.
        """
        config_lib.check_positive_int('batch_size', batch_size)
        config_lib.check_unit_interval('epsilon', epsilon)
        config_lib.check_unit_interval('discount', discount)
        config_lib.check_positive('learning_rate', learning_rate)
        config_lib.check_positive_int('min_replay_size', min_replay_size)
        config_lib.check_positive_int('max_replay_size', max_replay_size)
        config_lib.check_positive('observations_per_step', observations_per_step)
        if max_replay_size < min_replay_size:
            raise ValueError(f'max_replay_size must be >= min_replay_size '
                             f'({min_replay_size}), got {max_replay_size}.')
        dqn_builder.check_discrete_actions(environment_spec, agent='NFQ')
        table = replay.uniform_table(
            adders.DEFAULT_PRIORITY_TABLE, max_replay_size,
            signature=adders.NStepTransitionAdder.signature(environment_spec))
        self._server = reverb.Server([table], port=None)
        address = f'localhost:{self._server.port}'
        adder = adders.NStepTransitionAdder(reverb.Client(address), n_step=1,
                                            discount=discount)
        dataset = replay.make_reverb_dataset(address, batch_size=batch_size,
                                             prefetch_size=prefetch_size)
        learner = learning.NFQLearner(network, dataset, discount=discount,
                                      learning_rate=learning_rate, logger=logger,
                                      checkpoint=checkpoint, device=device)
        self._epsilon = tf.Variable(float(epsilon), trainable=False, name='epsilon')
        actor = dqn_builder.make_actor(network, environment_spec, self._epsilon, adder)
        super().__init__(actor, learner,
                         min_observations=max(batch_size, min_replay_size),
                         observations_per_step=observations_per_step)
