"""The hyperparameters the deterministic actor-critics (DDPG, D4PG, TD3, MADDPG)
share: Acme's TF DDPG names and defaults, one documented field each.

Each agent's config extends `ActorCriticConfig`, redeclaring the fields whose
default it changes (e.g. TD3's σ = 0.1) and adding its own.
"""

import dataclasses
from typing import Optional, Sequence

from troupe import errors
from troupe.agents import checks, configs
from troupe.agents.configs import hyperparameter


def check_hidden_sizes(name: str, sizes: Sequence[int]) -> None:
    """Raises unless `sizes` is a non-empty list of integers >= 1."""
    if not sizes:
        raise errors.InvalidInput(f'{name} must list at least one layer size, got '
                                  f'{list(sizes)!r}.')
    for size in sizes:
        checks.check_positive_int(f'{name} entry', size)


@dataclasses.dataclass
class ActorCriticConfig(configs.ReplayConfig):
    """A deterministic policy μ(s) and a critic Q(s, a) learned from a uniform
    table of n-step transitions, exploring with clipped Gaussian noise.

    Defaults are Acme's TF DDPG / D4PG ones: Adam(1e-4) for both networks,
    target copies every 100 updates, 5-step transitions, σ = 0.3, clipping.
    Noise scales are relative to the half-range of the action bounds.
    """

    target_update_period: int = hyperparameter(
        100, 'updates between target-network copies', checks.check_positive_int)
    target_update_rate: Optional[float] = hyperparameter(
        None, 'Polyak rate τ applied every update instead of periodic copies',
        checks.check_rate)
    sigma: float = hyperparameter(
        0.3, 'σ of the Gaussian exploration noise, relative to the half-range of '
        'the action bounds', checks.check_non_negative)
    clipping: bool = hyperparameter(
        True, 'clip dQ/da to norm 1 and gradients to global norm 40 (Acme)')
    policy_learning_rate: float = hyperparameter(
        1e-4, "the policy's Adam learning rate", checks.check_positive)
    critic_learning_rate: float = hyperparameter(
        1e-4, "the critic's Adam learning rate", checks.check_positive)
    policy_hidden_sizes: Sequence[int] = hyperparameter(
        (256, 256, 256), "the default policy's hidden layers")
    critic_hidden_sizes: Sequence[int] = hyperparameter(
        (512, 512, 256), "the default critic's hidden layers")

    def check_relations(self) -> None:
        super().check_relations()
        name = type(self).__name__
        check_hidden_sizes(f'{name}.policy_hidden_sizes', self.policy_hidden_sizes)
        check_hidden_sizes(f'{name}.critic_hidden_sizes', self.critic_hidden_sizes)
