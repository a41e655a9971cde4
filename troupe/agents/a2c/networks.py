"""A2C's default network: a `PolicyValueMLP` (the on-policy family's)."""

from typing import Sequence

from troupe import specs
from troupe.agents.on_policy import networks


def make_network(environment_spec: specs.EnvironmentSpec,
                 hidden_sizes: Sequence[int] = (64, 64),
                 shared_torso: bool = False) -> networks.PolicyValueMLP:
    """A `PolicyValueMLP` for the environment's (discrete) actions."""
    return networks.make_mlp_network(environment_spec, hidden_sizes, shared_torso,
                                     agent='a2c')
