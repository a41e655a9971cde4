"""DDPG's default networks: Acme's DDPG example (a LayerNormMLP policy squashed
to the bounds, a LayerNormMLP critic of [observation, action] with one output,
and `batch_concat` as the observation network)."""

from typing import Sequence

from troupe import specs
from troupe.agents.actor_critic import networks as ac_networks
from troupe.agents.ddpg.config import DDPGConfig


def make_networks(environment_spec: specs.EnvironmentSpec,
                  policy_hidden_sizes: Sequence[int] = DDPGConfig.policy_hidden_sizes,
                  critic_hidden_sizes: Sequence[int] = DDPGConfig.critic_hidden_sizes
                  ) -> ac_networks.ActorCriticNetworks:
    """`ActorCriticNetworks(policy, (critic,), observation)`; the critic returns
    [B, 1] values and the observation network flattens nested observations."""
    ac_networks.check_continuous_actions(environment_spec.actions, 'DDPG')
    return ac_networks.ActorCriticNetworks(
        policy=ac_networks.make_policy_network(environment_spec.actions,
                                               policy_hidden_sizes),
        critics=(ac_networks.make_critic_network(critic_hidden_sizes),),
        observation=ac_networks.default_observation_network())
