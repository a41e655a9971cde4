"""DQN: double-Q, n-step, prioritized-replay Deep Q-Networks."""

from troupe.agents.dqn import presets
from troupe.agents.dqn.agent import DQN
from troupe.agents.dqn.builder import DQNBuilder
from troupe.agents.dqn.config import DQNConfig
from troupe.agents.dqn.config import LinearEpsilon
from troupe.agents.dqn.learning import DQNLearner
from troupe.agents.dqn.networks import ExtrinsicIntrinsicQ
from troupe.agents.dqn.networks import make_atari_network
from troupe.agents.dqn.networks import make_mlp_network

__all__ = ['DQN', 'DQNBuilder', 'DQNConfig', 'DQNLearner', 'ExtrinsicIntrinsicQ',
           'LinearEpsilon', 'presets', 'make_atari_network', 'make_mlp_network']
