"""TD3: twin critics, target policy smoothing and delayed policy updates (the
family's shared parts are in `troupe.agents.actor_critic`)."""

from troupe.agents.actor_critic.networks import ActorCriticNetworks
from troupe.agents.td3.agent import TD3
from troupe.agents.td3.builder import TD3Builder
from troupe.agents.td3.config import TD3Config
from troupe.agents.td3.learning import TD3Learner
from troupe.agents.td3.networks import make_networks

__all__ = ['ActorCriticNetworks', 'TD3', 'TD3Builder', 'TD3Config', 'TD3Learner',
           'make_networks']
