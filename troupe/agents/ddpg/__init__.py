"""DDPG: deterministic policy gradients with n-step returns and target networks.

Also the shared base of D4PG and TD3: config checks, behaviour network, builders,
the learner's update skeleton and the single-process assembly.
"""

from troupe.agents.ddpg import builder
from troupe.agents.ddpg.agent import DDPG
from troupe.agents.ddpg.config import DDPGConfig
from troupe.agents.ddpg.learning import DDPGLearner
from troupe.agents.ddpg.networks import make_behavior_network
from troupe.agents.ddpg.networks import make_default_networks

__all__ = ['DDPG', 'DDPGConfig', 'DDPGLearner', 'builder', 'make_behavior_network',
           'make_default_networks']
