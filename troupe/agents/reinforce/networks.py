"""REINFORCE's default network: a policy MLP and a separate baseline MLP."""

from troupe.agents.a2c.networks import PolicyValueMLP
from troupe.agents.a2c.networks import make_network

__all__ = ['PolicyValueMLP', 'make_network']
