"""MADDPG's hyperparameters: the family's (`actor_critic.ActorCriticConfig`) plus
`centralised_critics`.

The defaults are those tuned for 3-agent cooperative navigation
(benchmarks/maddpg_particles.py): γ = 0.95 as in Lowe et al., 3-step returns,
Adam(3e-3), Polyak τ = 0.01, 32 samples per insert, 64-64 networks.
"""

import dataclasses
from typing import Optional, Sequence

from troupe.agents import checks
from troupe.agents.actor_critic import config as ac_config
from troupe.agents.configs import hyperparameter


@dataclasses.dataclass
class MADDPGConfig(ac_config.ActorCriticConfig):
    """Multi-agent DDPG: one policy and one critic per agent.

    `centralised_critics=False` gives each critic only its own agent's
    observation and action: independent DDPG learners with otherwise identical
    settings (the baseline of Lowe et al., 2017).
    """

    discount: float = hyperparameter(0.95, 'the agent discount γ',
                                     checks.check_unit_interval)
    target_update_period: int = hyperparameter(
        1, 'updates between target copies when target_update_rate is None',
        checks.check_positive_int)
    target_update_rate: Optional[float] = hyperparameter(
        0.01, 'Polyak rate τ applied every update (None: periodic copies)',
        checks.check_rate)
    n_step: int = hyperparameter(3, 'steps of the n-step returns',
                                 checks.check_positive_int)
    policy_learning_rate: float = hyperparameter(
        3e-3, "the policies' Adam learning rate", checks.check_positive)
    critic_learning_rate: float = hyperparameter(
        3e-3, "the critics' Adam learning rate", checks.check_positive)
    policy_hidden_sizes: Sequence[int] = hyperparameter(
        (64, 64), "each agent's default policy's hidden layers")
    critic_hidden_sizes: Sequence[int] = hyperparameter(
        (64, 64), "each agent's default critic's hidden layers")
    centralised_critics: bool = hyperparameter(
        True, "critics of all agents' observations and actions (False: each "
        "agent's own, independent DDPG)")
