"""MADDPGBuilder: the one place MADDPG's parts are assembled (see
`agents.builders`). Replay table, adder, dataset and actor are the family's
(`actor_critic.ActorCriticBuilder`; they handle the dicts of a multi-agent spec
leaf by leaf); the policies act for all agents at once."""

import copy
from typing import Iterator

import reverb
import sonnet as snt

from troupe import specs
from troupe.agents import builders, spaces
from troupe.agents.actor_critic import builder as ac_builder
from troupe.agents.maddpg import config as config_lib
from troupe.agents.maddpg import learning
from troupe.agents.maddpg import networks as maddpg_networks


class MADDPGBuilder(ac_builder.ActorCriticBuilder):
    """A uniform table of joint n-step transitions, one actor for all agents
    (each agent's policy on its own observation, plus its own clipped Gaussian
    noise unless evaluating) and a `MADDPGLearner`. Networks:
    `MADDPGNetworks(policies, critics)`, dicts keyed by agent id."""

    name = 'maddpg'
    config_class = config_lib.MADDPGConfig
    actions = spaces.MULTI_AGENT
    batched_acting = False

    def check_environment(self, environment_spec: specs.EnvironmentSpec,
                          environment: str = 'this environment') -> None:
        """Needs dicts of specs with the same agent ids, continuous actions for
        every agent (the message names the agent)."""
        maddpg_networks.check_multi_agent_spec(environment_spec, self.display_name)
        builders.ActorLearnerBuilder.check_environment(self, environment_spec,
                                                       environment)

    def make_networks(self, environment_spec: specs.EnvironmentSpec
                      ) -> maddpg_networks.MADDPGNetworks:
        """`maddpg.make_networks` of the config's hidden sizes."""
        self._seed()
        return maddpg_networks.make_networks(environment_spec,
                                             self.config.policy_hidden_sizes,
                                             self.config.critic_hidden_sizes)

    def make_policy(self, networks: maddpg_networks.MADDPGNetworks,
                    environment_spec: specs.EnvironmentSpec,
                    evaluation: bool = False) -> snt.Module:
        """Dict of observations -> dict of actions: every agent's policy, plus
        its own noise unless evaluating."""
        if evaluation:
            return maddpg_networks.MultiAgentPolicy(networks.policies,
                                                    name='greedy_policy')
        return maddpg_networks.make_behavior_network(networks.policies,
                                                     environment_spec,
                                                     self.config.sigma)

    def _make_learner(self, networks: maddpg_networks.MADDPGNetworks,
                      dataset: Iterator[reverb.ReplaySample],
                      environment_spec: specs.EnvironmentSpec,
                      **shared) -> learning.MADDPGLearner:
        ids = tuple(environment_spec.actions)
        maddpg_networks.check_agent_keys('policy_networks', networks.policies, ids)
        maddpg_networks.check_agent_keys('critic_networks', networks.critics, ids)
        return learning.MADDPGLearner(
            dict(networks.policies), dict(networks.critics),
            {i: copy.deepcopy(p) for i, p in networks.policies.items()},
            {i: copy.deepcopy(c) for i, c in networks.critics.items()}, dataset,
            centralised_critics=self.config.centralised_critics, **shared)
