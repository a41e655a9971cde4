"""MADDPG: the single-process multi-agent agent.

DDPG's assembly (`ddpg.agent.start_replay`, `ddpg.agent.actor_following`) on
dicts keyed by agent id: a Reverb server with a uniform table of joint n-step
transitions, one `FeedForwardActor` acting for all agents (each agent's policy
on its own observation, plus its own clipped Gaussian noise), and a
`MADDPGLearner` trained on batches from `make_reverb_dataset`: one learner step
every batch_size · updates_per_call / samples_per_insert joint observations
after max(batch_size, min_replay_size). `centralised_critics=False` is the
independent-DDPG baseline with the same everything else.
"""

from typing import Mapping, Optional

import sonnet as snt

from troupe import core, specs
from troupe.agents import agent as agent_lib
from troupe.agents.ddpg import agent as ddpg_agent
from troupe.agents.maddpg import builder
from troupe.agents.maddpg import config as config_lib
from troupe.components import counting, loggers


class MADDPG(agent_lib.ReplayAgent):
    """Multi-agent DDPG with centralised critics (Lowe et al., 2017).

    Hyperparameters are the fields of `MADDPGConfig` (DDPG's names: discount,
    batch_size, n_step, sigma, target_update_rate, samples_per_insert, the
    learning rates, ... and `centralised_critics`), given as a `config`, as
    keywords, or both (keywords replace the config's fields).
    """

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
            within its bounds (see `maddpg.make_default_networks`).
          critic_networks: {agent id: Q_i}, (observations, actions) -> [B, 1]: all
            agents' dicts when `centralised_critics`, else agent i's own.
          config: the hyperparameters (default `MADDPGConfig()`).
          policy_optimizer: default Adam(policy_learning_rate), for all policies.
          critic_optimizer: default Adam(critic_learning_rate), for all critics.
          logger: the learner's logger.
          counter: the learner's counter.
          checkpoint: whether the learner checkpoints.
          device: the learner's device (default: first GPU, else CPU).
          checkpoint_subpath: the checkpoint root directory.
          **hyperparameters: fields of `MADDPGConfig` replacing the config's.

        Raises:
          TypeError: for a keyword that is not a field of `MADDPGConfig`.
          ValueError: naming a hyperparameter out of its range, or a spec or
            network dict that is not keyed by the same agent ids.
        """
        config = config_lib.make_config(config, **hyperparameters)
        config.validate()
        ids = config_lib.check_multi_agent_spec(environment_spec)
        config_lib.check_agent_keys('policy_networks', policy_networks, ids)
        config_lib.check_agent_keys('critic_networks', critic_networks, ids)
        self.config = config
        self._environment_spec = environment_spec
        self._policy_networks = dict(policy_networks)

        self._server, adder, dataset = ddpg_agent.start_replay(environment_spec,
                                                               config)
        learner = builder.make_learner(
            self._policy_networks, critic_networks, dataset, config, device=device,
            policy_optimizer=policy_optimizer, critic_optimizer=critic_optimizer,
            counter=counter, logger=logger, checkpoint=checkpoint,
            directory=checkpoint_subpath)

        def make_actor(policies, variable_source):
            return builder.make_actor(policies, environment_spec, config.sigma, adder,
                                      variable_source)
        actor = ddpg_agent.actor_following(learner, self._policy_networks, make_actor)
        super().__init__(actor, learner,
                         min_observations=builder.min_observations(config),
                         observations_per_step=builder.observations_per_step(config))

    def make_evaluation_actor(self) -> core.Actor:
        """A greedy actor (no exploration noise) for all agents that always uses
        the learner's current policies and writes nothing to replay."""
        return ddpg_agent.actor_following(self._learner, self._policy_networks,
                                          builder.make_evaluation_actor)
