"""SAC: soft actor-critic with twin critics, a tanh-Gaussian policy and an
automatically tuned entropy temperature."""

from troupe.agents.sac.agent import SAC
from troupe.agents.sac.builder import SACBuilder
from troupe.agents.sac.config import SACConfig
from troupe.agents.sac.learning import SACLearner
from troupe.agents.sac.networks import ActionPolicy
from troupe.agents.sac.networks import SACNetworks
from troupe.agents.sac.networks import canonical_target_entropy
from troupe.agents.sac.networks import make_critic_network
from troupe.agents.sac.networks import make_eval_policy
from troupe.agents.sac.networks import make_networks
from troupe.agents.sac.networks import make_policy_network
from troupe.agents.sac.networks import squashed_mode

__all__ = ['ActionPolicy', 'SAC', 'SACBuilder', 'SACConfig', 'SACLearner',
           'SACNetworks', 'canonical_target_entropy', 'make_critic_network',
           'make_eval_policy', 'make_networks', 'make_policy_network',
           'squashed_mode']
