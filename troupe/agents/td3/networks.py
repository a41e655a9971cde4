"""TD3's default networks: a deterministic policy and two independent critics."""

from typing import Sequence

from troupe import specs
from troupe.agents.actor_critic import networks as ac_networks
from troupe.agents.td3.config import TD3Config


def make_networks(environment_spec: specs.EnvironmentSpec,
                  policy_hidden_sizes: Sequence[int] = TD3Config.policy_hidden_sizes,
                  critic_hidden_sizes: Sequence[int] = TD3Config.critic_hidden_sizes
                  ) -> ac_networks.ActorCriticNetworks:
    """`ActorCriticNetworks(policy, (critic, twin_critic), observation)`.

    The policy and critics are DDPG's (LayerNormMLP torsos, tanh-squashed
    policy, [B, 1] critics) at the sizes of Fujimoto et al. (2018); the two
    critics are separate modules, so they are initialised independently.
    """
    ac_networks.check_continuous_actions(environment_spec.actions, 'TD3')
    return ac_networks.ActorCriticNetworks(
        policy=ac_networks.make_policy_network(environment_spec.actions,
                                               policy_hidden_sizes),
        critics=(ac_networks.make_critic_network(critic_hidden_sizes),
                 ac_networks.make_critic_network(critic_hidden_sizes,
                                                 name='twin_critic')),
        observation=ac_networks.default_observation_network())
