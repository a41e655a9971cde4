"""MADDPG: the single-process multi-agent agent, a thin wrapper of
`LocalAgent(MADDPGBuilder(MADDPGConfig(...)), ...)`.

A Reverb server with a uniform table of joint n-step transitions (dicts keyed
by agent id), one `FeedForwardActor` acting for all agents (each agent's policy
on its own observation, plus its own clipped Gaussian noise), and a
`MADDPGLearner` trained on batches from `make_reverb_dataset`: one learner
step every batch_size · updates_per_call / samples_per_insert joint
observations after max(batch_size, min_replay_size).
`centralised_critics=False` is the independent-DDPG baseline with the same
everything else.
"""

from typing import Mapping, Optional

import sonnet as snt

from troupe import specs
from troupe.agents.actor_critic import agent as ac_agent
from troupe.agents.maddpg import builder as builder_lib
from troupe.agents.maddpg import config as config_lib
from troupe.agents.maddpg import networks as maddpg_networks
from troupe.components import counting, loggers


class MADDPG(ac_agent.ActorCriticAgent):
    """Multi-agent DDPG with centralised critics (Lowe et al., 2017).

    Hyperparameters are the fields of `MADDPGConfig` (the family's names:
    discount, batch_size, n_step, sigma, target_update_rate,
    samples_per_insert, the learning rates, ... and `centralised_critics`),
    given as a `config`, as keywords, or both (keywords replace the config's
    fields).
    """

    builder_class = builder_lib.MADDPGBuilder
    positional = ()

    def __init__(self,
                 environment_spec: specs.EnvironmentSpec,
                 policy_networks: Mapping[str, snt.Module],
                 critic_networks: Mapping[str, snt.Module],
                 *,
                 config: Optional[config_lib.MADDPGConfig] = None,
                 policy_optimizer: Optional[snt.Optimizer] = None,
                 critic_optimizer: Optional[snt.Optimizer] = None,
                 logger: Optional[loggers.Logger] = None,
                 counter: Optional[counting.Counter] = None,
                 checkpoint: bool = True,
                 device: Optional[str] = None,
                 checkpoint_subpath: str = '~/troupe/',
                 **hyperparameters):
        """Builds the agent.

        Args:
          environment_spec: a multi-agent spec (`troupe.environments.multiagent`):
            dicts keyed by agent id, every action a float BoundedArray with finite
            bounds.
          policy_networks: {agent id: μ_i}, agent i's observation -> its action
            within its bounds (see `maddpg.make_networks`).
          critic_networks: {agent id: Q_i}, (observations, actions) -> [B, 1]: all
            agents' dicts when `centralised_critics`, else agent i's own.
          config: the hyperparameters (default `MADDPGConfig()`).
          policy_optimizer: default Adam(policy_learning_rate), for all policies.
          critic_optimizer: default Adam(critic_learning_rate), for all critics.
          logger: the learner's logger.
          counter: the learner's counter.
          checkpoint: whether the learner's state is checkpointed.
          device: the learner's device (default: first GPU, else CPU).
          checkpoint_subpath: the checkpoint root directory.
          **hyperparameters: fields of `MADDPGConfig` replacing the config's.

        Raises:
          TypeError: for a keyword that is not a field of `MADDPGConfig`.
          InvalidInput: naming a hyperparameter out of its range, or a spec or
            network dict that is not keyed by the same agent ids.
        """
        # The builder checks the dicts' keys against the spec's agent ids.
        networks = maddpg_networks.MADDPGNetworks(policy_networks, critic_networks)
        self._start(environment_spec, networks, (), config, hyperparameters,
                    logger=logger, counter=counter, checkpoint=checkpoint,
                    checkpoint_subpath=checkpoint_subpath, device=device,
                    policy_optimizer=policy_optimizer,
                    critic_optimizer=critic_optimizer)
