"""TD3: twin critics, target policy smoothing and delayed policy updates."""

from troupe.agents.td3 import builder
from troupe.agents.td3.agent import TD3
from troupe.agents.td3.config import TD3Config
from troupe.agents.td3.learning import TD3Learner
from troupe.agents.td3.networks import make_default_networks

__all__ = ['TD3', 'TD3Config', 'TD3Learner', 'builder', 'make_default_networks']
