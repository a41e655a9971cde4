"""MADDPG: multi-agent DDPG with centralised critics and decentralised policies
(Lowe et al., 2017, "Multi-Agent Actor-Critic for Mixed Cooperative-Competitive
Environments"), and with `centralised_critics=False` its independent-DDPG
baseline. Consumes the multi-agent convention of `troupe.environments.multiagent`;
the family's shared parts are in `troupe.agents.actor_critic`.
"""

from troupe.agents.maddpg.agent import MADDPG
from troupe.agents.maddpg.builder import MADDPGBuilder
from troupe.agents.maddpg.config import MADDPGConfig
from troupe.agents.maddpg.learning import MADDPGLearner
from troupe.agents.maddpg.networks import MADDPGNetworks
from troupe.agents.maddpg.networks import MultiAgentCritic
from troupe.agents.maddpg.networks import MultiAgentPolicy
from troupe.agents.maddpg.networks import make_networks

__all__ = ['MADDPG', 'MADDPGBuilder', 'MADDPGConfig', 'MADDPGLearner',
           'MADDPGNetworks', 'MultiAgentCritic', 'MultiAgentPolicy', 'make_networks']
