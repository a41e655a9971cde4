"""MADDPG: multi-agent DDPG with centralised critics and decentralised policies
(Lowe et al., 2017, "Multi-Agent Actor-Critic for Mixed Cooperative-Competitive
Environments"), and with `centralised_critics=False` its independent-DDPG
baseline. Consumes the multi-agent convention of `troupe.environments.multiagent`.
"""

from troupe.agents.maddpg import builder
from troupe.agents.maddpg.agent import MADDPG
from troupe.agents.maddpg.config import MADDPGConfig
from troupe.agents.maddpg.learning import MADDPGLearner
from troupe.agents.maddpg.networks import MultiAgentCritic
from troupe.agents.maddpg.networks import MultiAgentPolicy
from troupe.agents.maddpg.networks import make_default_networks

__all__ = ['MADDPG', 'MADDPGConfig', 'MADDPGLearner', 'MultiAgentCritic',
           'MultiAgentPolicy', 'builder', 'make_default_networks']
