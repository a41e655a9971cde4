"""D4PG's default networks, as in Acme's D4PG example and quickstart: DDPG's
policy, a categorical critic and `batch_concat` as the observation network."""

from typing import Sequence

import sonnet as snt

from troupe import specs
from troupe.agents.actor_critic import networks as ac_networks
from troupe.agents.d4pg.config import D4PGConfig
from troupe.components import networks


def make_critic_network(hidden_sizes: Sequence[int] = D4PGConfig.critic_hidden_sizes,
                        vmin: float = D4PGConfig.vmin,
                        vmax: float = D4PGConfig.vmax,
                        num_atoms: int = D4PGConfig.num_atoms) -> snt.Module:
    """Z(s, a): CriticMultiplexer(LayerNormMLP(activate_final)) then a
    `DiscreteValuedHead` over `num_atoms` atoms evenly spaced in [vmin, vmax]."""
    return snt.Sequential([
        networks.CriticMultiplexer(
            critic_network=networks.LayerNormMLP(list(hidden_sizes),
                                                 activate_final=True)),
        networks.DiscreteValuedHead(vmin, vmax, num_atoms),
    ], name='critic')


def make_networks(environment_spec: specs.EnvironmentSpec,
                  policy_hidden_sizes: Sequence[int] = D4PGConfig.policy_hidden_sizes,
                  critic_hidden_sizes: Sequence[int] = D4PGConfig.critic_hidden_sizes,
                  vmin: float = D4PGConfig.vmin,
                  vmax: float = D4PGConfig.vmax,
                  num_atoms: int = D4PGConfig.num_atoms
                  ) -> ac_networks.ActorCriticNetworks:
    """`ActorCriticNetworks(policy, (critic,), observation)`: the policy is
    LayerNormMLP (activate_final) -> NearZeroInitializedLinear -> TanhToSpec,
    the critic `make_critic_network`'s, the observation network flattens nested
    observations."""
    ac_networks.check_continuous_actions(environment_spec.actions, 'D4PG')
    return ac_networks.ActorCriticNetworks(
        policy=ac_networks.make_policy_network(environment_spec.actions,
                                               policy_hidden_sizes),
        critics=(make_critic_network(critic_hidden_sizes, vmin, vmax, num_atoms),),
        observation=ac_networks.default_observation_network())
