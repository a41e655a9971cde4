"""SAC's hyperparameters: one documented field each.

Defaults follow the SAC papers (Haarnoja et al., 2018) as implemented by
Stable-Baselines3 and Acme: 256-unit networks, batch 256, Adam at 3e-4,
γ = 0.99, τ = 0.005, one update per environment step (samples_per_insert =
batch_size), one-step targets, automatic temperature with initial α = 1.
"""

import dataclasses
from typing import Optional, Sequence, Tuple

from troupe.agents import checks, configs
from troupe.agents.configs import hyperparameter


@dataclasses.dataclass
class SACConfig(configs.ReplayConfig):
    """Soft actor-critic with twin critics and an automatic temperature.

    `learning_rate` is the Adam learning rate of the policy, the critics and the
    temperature unless one of the `*_learning_rate` overrides is set.
    `entropy_coefficient` fixes α (no temperature learning) when set; otherwise
    log α starts at log(`init_temperature`) and is trained towards
    `target_entropy`.
    """

    samples_per_insert: float = hyperparameter(
        256.0, 'how often each transition is replayed on average (batch_size: one '
        'update per env step)', checks.check_positive)
    n_step: int = hyperparameter(1, 'steps of the n-step returns',
                                 checks.check_positive_int)
    jit_compile: bool = hyperparameter(
        False, 'XLA-compile the update (no faster on a 2-core CPU)')
    learning_rate: float = hyperparameter(
        3e-4, "Adam's learning rate of policy, critics and temperature",
        checks.check_positive)
    target_update_rate: float = hyperparameter(
        0.005, "the target critics' Polyak rate τ", checks.check_rate)
    policy_learning_rate: Optional[float] = hyperparameter(
        None, 'overrides learning_rate for the policy', checks.check_positive)
    critic_learning_rate: Optional[float] = hyperparameter(
        None, 'overrides learning_rate for the critics', checks.check_positive)
    temperature_learning_rate: Optional[float] = hyperparameter(
        None, 'overrides learning_rate for log α', checks.check_positive)
    init_temperature: float = hyperparameter(1.0, 'α at the start',
                                             checks.check_positive)
    entropy_coefficient: Optional[float] = hyperparameter(
        None, 'a fixed α instead of learning it (None: learn α)',
        checks.check_non_negative)
    target_entropy: Optional[float] = hyperparameter(
        None, 'the entropy target H̄ (None: −|A| in the canonical [-1, 1] action '
        'box, see sac.canonical_target_entropy)', checks.check_finite)
    policy_hidden_sizes: Sequence[int] = hyperparameter(
        (256, 256), "the default policy's ReLU hidden layers")
    critic_hidden_sizes: Sequence[int] = hyperparameter(
        (256, 256), "the default critics' ReLU hidden layers")

    def check_relations(self) -> None:
        super().check_relations()
        name = type(self).__name__
        for field in ('policy_hidden_sizes', 'critic_hidden_sizes'):
            for size in getattr(self, field):
                checks.check_positive_int(f'{name}.{field} entry', size)

    def learning_rates(self) -> Tuple[float, float, float]:
        """(policy, critic, temperature) learning rates after the overrides."""
        def pick(rate: Optional[float]) -> float:
            return self.learning_rate if rate is None else rate
        return (pick(self.policy_learning_rate), pick(self.critic_learning_rate),
                pick(self.temperature_learning_rate))
