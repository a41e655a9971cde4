"""A2C: synchronous advantage actor-critic on on-policy sequences.

Also home of the on-policy pipeline (`on_policy`, `acting`) that REINFORCE and
IMPALA share.
"""

from troupe.agents.a2c import builder
from troupe.agents.a2c import on_policy
from troupe.agents.a2c.agent import A2C
from troupe.agents.a2c.config import A2CConfig
from troupe.agents.a2c.config import OnPolicyConfig
from troupe.agents.a2c.learning import A2CLearner
from troupe.agents.a2c.learning import ActorCriticLearner
from troupe.agents.a2c.networks import PolicyValueMLP
from troupe.agents.a2c.networks import make_network

__all__ = ['A2C', 'A2CConfig', 'A2CLearner', 'ActorCriticLearner', 'OnPolicyConfig',
           'PolicyValueMLP', 'builder', 'make_network', 'on_policy']
