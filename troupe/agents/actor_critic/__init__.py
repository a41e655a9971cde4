"""What the deterministic actor-critics (DDPG, D4PG, TD3, MADDPG) share: the
config base, networks, acting policies, the learner core, the builder base and
the Acme-style wrapper base. No agent package imports another; they all import
this one."""

from troupe.agents.actor_critic.agent import ActorCriticAgent
from troupe.agents.actor_critic.builder import ActorCriticBuilder
from troupe.agents.actor_critic.config import ActorCriticConfig
from troupe.agents.actor_critic.learning import ActorCriticLearner
from troupe.agents.actor_critic.learning import default_optimizers
from troupe.agents.actor_critic.networks import ActorCriticNetworks
from troupe.agents.actor_critic.networks import check_continuous_actions
from troupe.agents.actor_critic.networks import make_behavior_network
from troupe.agents.actor_critic.networks import make_critic_network
from troupe.agents.actor_critic.networks import make_greedy_network
from troupe.agents.actor_critic.networks import make_policy_network
from troupe.agents.actor_critic.networks import to_sonnet_module

__all__ = ['ActorCriticAgent', 'ActorCriticBuilder', 'ActorCriticConfig',
           'ActorCriticLearner', 'ActorCriticNetworks', 'check_continuous_actions',
           'default_optimizers', 'make_behavior_network', 'make_critic_network',
           'make_greedy_network', 'make_policy_network', 'to_sonnet_module']
