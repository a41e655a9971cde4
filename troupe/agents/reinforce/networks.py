"""REINFORCE's default network: a policy MLP and a separate baseline MLP
(a `PolicyValueMLP`, the on-policy family's)."""

from typing import Sequence

from troupe import specs
from troupe.agents.on_policy import networks
from troupe.agents.on_policy.networks import PolicyValueMLP

__all__ = ['PolicyValueMLP', 'make_network']


def make_network(environment_spec: specs.EnvironmentSpec,
                 hidden_sizes: Sequence[int] = (64, 64),
                 shared_torso: bool = False) -> PolicyValueMLP:
    """A `PolicyValueMLP` for the environment's (discrete) actions."""
    return networks.make_mlp_network(environment_spec, hidden_sizes, shared_torso,
                                     agent='reinforce')
