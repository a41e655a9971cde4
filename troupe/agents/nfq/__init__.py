"""NFQ: neural fitted Q-learning (the EEML tutorial's first deep agent)."""

from troupe.agents.nfq.agent import NFQ
from troupe.agents.nfq.builder import NFQBuilder
from troupe.agents.nfq.config import NFQConfig
from troupe.agents.nfq.learning import NFQLearner
from troupe.agents.nfq.networks import make_network

__all__ = ['NFQ', 'NFQBuilder', 'NFQConfig', 'NFQLearner', 'make_network']
