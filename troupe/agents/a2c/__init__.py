"""A2C: synchronous advantage actor-critic on on-policy sequences (the parts it
shares with REINFORCE and IMPALA are in `troupe.agents.on_policy`)."""

from troupe.agents.a2c.agent import A2C
from troupe.agents.a2c.builder import A2CBuilder
from troupe.agents.a2c.config import A2CConfig
from troupe.agents.a2c.learning import A2CLearner
from troupe.agents.a2c.networks import make_network
from troupe.agents.on_policy.networks import PolicyValueMLP

__all__ = ['A2C', 'A2CBuilder', 'A2CConfig', 'A2CLearner', 'PolicyValueMLP',
           'make_network']
