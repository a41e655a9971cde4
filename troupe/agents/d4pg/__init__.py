"""D4PG: DDPG with a distributional critic and n-step returns (Acme's TF D4PG)."""

from troupe.agents.d4pg import builder
from troupe.agents.d4pg.agent import D4PG
from troupe.agents.d4pg.learning import D4PGLearner
from troupe.agents.d4pg.networks import make_default_networks
from troupe.agents.ddpg.config import DDPGConfig as D4PGConfig
from troupe.agents.ddpg.networks import make_behavior_network

__all__ = ['D4PG', 'D4PGConfig', 'D4PGLearner', 'builder', 'make_behavior_network',
           'make_default_networks']
