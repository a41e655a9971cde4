"""D4PG: DDPG with a distributional critic and n-step returns (Acme's TF D4PG;
the family's shared parts are in `troupe.agents.actor_critic`)."""

from troupe.agents.actor_critic.networks import ActorCriticNetworks
from troupe.agents.actor_critic.networks import make_behavior_network
from troupe.agents.d4pg.agent import D4PG
from troupe.agents.d4pg.builder import D4PGBuilder
from troupe.agents.d4pg.config import D4PGConfig
from troupe.agents.d4pg.learning import D4PGLearner
from troupe.agents.d4pg.networks import make_critic_network
from troupe.agents.d4pg.networks import make_networks

__all__ = ['ActorCriticNetworks', 'D4PG', 'D4PGBuilder', 'D4PGConfig', 'D4PGLearner',
           'make_behavior_network', 'make_critic_network', 'make_networks']
