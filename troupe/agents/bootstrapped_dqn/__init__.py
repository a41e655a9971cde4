"""Bootstrapped DQN with randomized prior functions (Osband et al. 2016, 2018)."""

from troupe.agents.bootstrapped_dqn.actor import BootstrappedActor
from troupe.agents.bootstrapped_dqn.agent import BootstrappedDQN
from troupe.agents.bootstrapped_dqn.builder import BootstrappedDQNBuilder
from troupe.agents.bootstrapped_dqn.config import BootstrappedDQNConfig
from troupe.agents.bootstrapped_dqn.learning import BootstrappedDQNLearner
from troupe.agents.bootstrapped_dqn.networks import make_ensemble

__all__ = ['BootstrappedActor', 'BootstrappedDQN', 'BootstrappedDQNBuilder',
           'BootstrappedDQNConfig', 'BootstrappedDQNLearner', 'make_ensemble']
