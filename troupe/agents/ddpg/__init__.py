"""DDPG: deterministic policy gradients with n-step returns and target networks
(the family's shared parts are in `troupe.agents.actor_critic`)."""

from troupe.agents.actor_critic.networks import ActorCriticNetworks
from troupe.agents.actor_critic.networks import make_behavior_network
from troupe.agents.ddpg.agent import DDPG
from troupe.agents.ddpg.builder import DDPGBuilder
from troupe.agents.ddpg.config import DDPGConfig
from troupe.agents.ddpg.learning import DDPGLearner
from troupe.agents.ddpg.networks import make_networks

__all__ = ['ActorCriticNetworks', 'DDPG', 'DDPGBuilder', 'DDPGConfig', 'DDPGLearner',
           'make_behavior_network', 'make_networks']
