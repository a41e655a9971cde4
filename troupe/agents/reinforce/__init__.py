"""REINFORCE with a learned baseline, on on-policy sequences."""

from troupe.agents.reinforce.agent import REINFORCE
from troupe.agents.reinforce.builder import ReinforceBuilder
from troupe.agents.reinforce.config import ReinforceConfig
from troupe.agents.reinforce.learning import ReinforceLearner
from troupe.agents.reinforce.networks import make_network

__all__ = ['REINFORCE', 'ReinforceBuilder', 'ReinforceConfig', 'ReinforceLearner',
           'make_network']
