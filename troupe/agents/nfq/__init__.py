"""NFQ: neural fitted Q-learning (the EEML tutorial's first deep agent)."""

from troupe.agents.nfq.agent import NFQ
from troupe.agents.nfq.learning import NFQLearner

__all__ = ['NFQ', 'NFQLearner']
