"""A2C's hyperparameters, and the range checks the on-policy family shares."""

import dataclasses
from typing import Optional

from troupe.components.adders import DEFAULT_PRIORITY_TABLE
from troupe.agents.checks import (  # noqa: F401  (re-exported for the agent)
    check_unit_interval, check_positive, check_non_negative, check_positive_int)


@dataclasses.dataclass
class OnPolicyConfig:
    """What every on-policy agent (REINFORCE, A2C, IMPALA) shares.

    Attributes:
      sequence_length: T, the steps each sequence contributes to the loss. Items
        hold T + 1 steps, one every T steps, so consecutive sequences overlap by
        the one step whose observation bootstraps the earlier one.
      batch_size: sequences per learner update.
      discount: the agent discount, in [0, 1].
      learning_rate: Adam's learning rate, > 0.
      entropy_cost: weight of the entropy bonus, >= 0.
      baseline_cost: weight of the value loss, >= 0.
      max_gradient_norm: clips the global gradient norm (None: no clipping).
      max_abs_reward: clips rewards to [-c, c] in the learner (None: no clipping).
      max_queue_size: capacity of the FIFO queue (inserts block when it is full).
      replay_table_name: the queue's table name.
    """
    sequence_length: int = 20
    batch_size: int = 2
    discount: float = 0.99
    learning_rate: float = 1e-3
    entropy_cost: float = 0.01
    baseline_cost: float = 0.5
    max_gradient_norm: Optional[float] = None
    max_abs_reward: Optional[float] = None
    max_queue_size: int = 10_000
    replay_table_name: str = DEFAULT_PRIORITY_TABLE

    def validate(self) -> None:
        """Raises ValueError naming the first hyperparameter out of range."""
        check_positive_int('sequence_length', self.sequence_length)
        check_positive_int('batch_size', self.batch_size)
        check_unit_interval('discount', self.discount)
        check_positive('learning_rate', self.learning_rate)
        check_non_negative('entropy_cost', self.entropy_cost)
        check_non_negative('baseline_cost', self.baseline_cost)
        if self.max_gradient_norm is not None:
            check_positive('max_gradient_norm', self.max_gradient_norm)
        if self.max_abs_reward is not None:
            check_positive('max_abs_reward', self.max_abs_reward)
        check_positive_int('max_queue_size', self.max_queue_size)
        if self.max_queue_size < self.batch_size:
            raise ValueError(f'max_queue_size must be >= batch_size '
                             f'({self.batch_size}), got {self.max_queue_size}.')


@dataclasses.dataclass
class A2CConfig(OnPolicyConfig):
    """A2C: advantages by GAE(λ), or n-step returns when `n_step` is set.

    Attributes:
      lambda_: GAE's λ in [0, 1] (0: one-step TD, 1: returns to the sequence end).
      n_step: if set (>= 1), n-step bootstrapped returns replace GAE.
    """
    lambda_: float = 0.95
    n_step: Optional[int] = None

    def validate(self) -> None:
        super().validate()
        check_unit_interval('lambda_', self.lambda_)
        if self.n_step is not None:
            check_positive_int('n_step', self.n_step)
