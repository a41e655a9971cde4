"""SAC's hyperparameters and their range checks.

Defaults follow the SAC papers (Haarnoja et al., 2018) as implemented by
Stable-Baselines3 and Acme: 256-unit networks, batch 256, Adam at 3e-4,
γ = 0.99, τ = 0.005, one update per environment step (samples_per_insert =
batch_size), automatic temperature with initial α = 1.
"""

import dataclasses
import math
from typing import Optional

from troupe.components.adders import DEFAULT_PRIORITY_TABLE
from troupe.agents.checks import (  # noqa: F401  (re-exported for the agent)
    is_real,
    check_finite, check_unit_interval, check_rate, check_positive, check_positive_int, check_non_negative_int)


@dataclasses.dataclass
class SACConfig:
    """Everything `SAC` and the builder functions need besides spec and networks.

    `learning_rate` is the Adam learning rate of the policy, the critics and the
    temperature unless one of the `*_learning_rate` overrides is set.
    `entropy_coefficient` fixes α (no temperature learning) when set; otherwise
    log α starts at log(`init_temperature`) and is trained towards
    `target_entropy` (None: −|A| in the canonical [-1, 1] action box, see
    `SACLearner`).
    """
    batch_size: int = 256
    prefetch_size: int = 4
    min_replay_size: int = 1000
    max_replay_size: int = 1_000_000
    samples_per_insert: float = 256.0
    n_step: int = 1
    discount: float = 0.99
    tau: float = 0.005
    learning_rate: float = 3e-4
    policy_learning_rate: Optional[float] = None
    critic_learning_rate: Optional[float] = None
    temperature_learning_rate: Optional[float] = None
    init_temperature: float = 1.0
    entropy_coefficient: Optional[float] = None
    target_entropy: Optional[float] = None
    updates_per_call: int = 1
    jit_compile: bool = False
    seed: Optional[int] = None
    replay_table_name: str = DEFAULT_PRIORITY_TABLE

    def learning_rates(self):
        """(policy, critic, temperature) learning rates after the overrides."""
        pick = lambda lr: self.learning_rate if lr is None else lr  # noqa: E731
        return (pick(self.policy_learning_rate), pick(self.critic_learning_rate),
                pick(self.temperature_learning_rate))

    def validate(self) -> None:
        """Raises ValueError naming the first hyperparameter out of its range."""
        check_positive_int('batch_size', self.batch_size)
        check_non_negative_int('prefetch_size', self.prefetch_size)
        check_positive_int('min_replay_size', self.min_replay_size)
        check_positive_int('max_replay_size', self.max_replay_size)
        if self.max_replay_size < self.min_replay_size:
            raise ValueError(f'max_replay_size must be >= min_replay_size '
                             f'({self.min_replay_size}), got {self.max_replay_size}.')
        check_positive('samples_per_insert', self.samples_per_insert)
        check_positive_int('n_step', self.n_step)
        check_unit_interval('discount', self.discount)
        check_rate('tau', self.tau)
        check_positive('learning_rate', self.learning_rate)
        for name in ('policy_learning_rate', 'critic_learning_rate',
                     'temperature_learning_rate'):
            if getattr(self, name) is not None:
                check_positive(name, getattr(self, name))
        check_positive('init_temperature', self.init_temperature)
        if self.entropy_coefficient is not None:
            if not is_real(self.entropy_coefficient) or not (
                    0 <= self.entropy_coefficient < math.inf):
                raise ValueError(f'entropy_coefficient must be a finite number >= 0 '
                                 f'or None, got {self.entropy_coefficient!r}.')
        if self.target_entropy is not None:
            check_finite('target_entropy', self.target_entropy)
        check_positive_int('updates_per_call', self.updates_per_call)
