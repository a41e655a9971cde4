"""Hyperparameters of the deterministic actor-critics (DDPG, D4PG, TD3) and their
range checks.

`DDPGConfig` holds Acme's TF DDPG/D4PG names and defaults; TD3 extends it
(see `troupe.agents.td3.config`).
"""

import dataclasses
from typing import Optional

from troupe.components.adders import DEFAULT_PRIORITY_TABLE
from troupe.agents.checks import (  # noqa: F401  (re-exported for the agent)
    check_unit_interval, check_rate, check_positive, check_non_negative, check_positive_int, check_non_negative_int)


@dataclasses.dataclass
class DDPGConfig:
    """Everything a DDPG-family agent needs besides the spec and the networks.

    The defaults are Acme's TF DDPG / D4PG ones: Adam(1e-4) for both networks,
    target copies every 100 updates, 5-step transitions, Gaussian exploration
    σ = 0.3 (relative to the half-range of the action bounds), gradient clipping.
    `target_update_rate` (Polyak τ every update) replaces the periodic copy when set.
    """
    discount: float = 0.99
    batch_size: int = 256
    prefetch_size: int = 4
    target_update_period: int = 100
    target_update_rate: Optional[float] = None
    min_replay_size: int = 1000
    max_replay_size: int = 1_000_000
    samples_per_insert: float = 32.0
    n_step: int = 5
    sigma: float = 0.3
    clipping: bool = True
    policy_learning_rate: float = 1e-4
    critic_learning_rate: float = 1e-4
    updates_per_call: int = 1
    jit_compile: bool = True
    replay_table_name: str = DEFAULT_PRIORITY_TABLE

    def validate(self) -> None:
        """Raises a ValueError naming the first parameter out of its range."""
        check_unit_interval('discount', self.discount)
        check_positive_int('batch_size', self.batch_size)
        check_non_negative_int('prefetch_size', self.prefetch_size)
        check_positive_int('target_update_period', self.target_update_period)
        if self.target_update_rate is not None:
            check_rate('target_update_rate (tau)', self.target_update_rate)
        check_positive_int('min_replay_size', self.min_replay_size)
        check_positive_int('max_replay_size', self.max_replay_size)
        if self.max_replay_size < self.min_replay_size:
            raise ValueError(f'max_replay_size must be >= min_replay_size '
                             f'({self.min_replay_size}), got {self.max_replay_size}.')
        check_positive('samples_per_insert', self.samples_per_insert)
        check_positive_int('n_step', self.n_step)
        check_non_negative('sigma', self.sigma)
        if not isinstance(self.clipping, bool):
            raise ValueError(f'clipping must be a bool, got {self.clipping!r}.')
        check_positive('policy_learning_rate', self.policy_learning_rate)
        check_positive('critic_learning_rate', self.critic_learning_rate)
        check_positive_int('updates_per_call', self.updates_per_call)
