"""TD3Builder: the one place TD3's parts are assembled (see `agents.builders`)."""

import copy
from typing import Iterator

import reverb

from troupe import specs
from troupe.agents.actor_critic import builder as ac_builder
from troupe.agents.actor_critic import networks as ac_networks
from troupe.agents.td3 import config as config_lib
from troupe.agents.td3 import learning
from troupe.agents.td3 import networks as td3_networks


class TD3Builder(ac_builder.ActorCriticBuilder):
    """The family's uniform table of n-step transitions and exploring actors
    (`actor_critic.ActorCriticBuilder`) with a `TD3Learner`. Networks:
    `ActorCriticNetworks(policy, (critic, twin_critic), observation)`."""

    name = 'td3'
    config_class = config_lib.TD3Config

    def make_networks(self, environment_spec: specs.EnvironmentSpec
                      ) -> ac_networks.ActorCriticNetworks:
        """`td3.make_networks` of the config's hidden sizes."""
        self._seed()
        return td3_networks.make_networks(environment_spec,
                                          self.config.policy_hidden_sizes,
                                          self.config.critic_hidden_sizes)

    def _make_learner(self, networks: ac_networks.ActorCriticNetworks,
                      dataset: Iterator[reverb.ReplaySample],
                      environment_spec: specs.EnvironmentSpec,
                      **shared) -> learning.TD3Learner:
        critic, twin = ac_networks.check_critics(networks, 2, self.display_name)
        config = self.config
        return learning.TD3Learner(
            policy_network=networks.policy, critic_network=critic,
            twin_critic_network=twin,
            target_policy_network=copy.deepcopy(networks.policy),
            target_critic_network=copy.deepcopy(critic),
            target_twin_critic_network=copy.deepcopy(twin), dataset=dataset,
            action_spec=environment_spec.actions,
            policy_update_period=config.policy_update_period,
            observation_network=networks.observation,
            target_observation_network=copy.deepcopy(networks.observation),
            target_sigma=config.target_sigma, noise_clip=config.noise_clip,
            seed=config.seed, **shared)
