"""DQN's hyperparameters (Acme's names and defaults) and their range checks."""

import dataclasses
from typing import Optional, Union

import tensorflow as tf

from troupe.components.adders import DEFAULT_PRIORITY_TABLE
from troupe.agents.checks import (  # noqa: F401  (re-exported for the agent)
    is_real,
    check_unit_interval, check_positive, check_positive_int, check_non_negative_int)


@dataclasses.dataclass(frozen=True)
class LinearEpsilon:
    """ε decays linearly from `start` to `end` over `decay_steps` actor steps.

    value(t) = start + (end − start) · min(t / decay_steps, 1).
    """
    start: float = 1.0
    end: float = 0.05
    decay_steps: int = 10_000

    def __post_init__(self):
        check_unit_interval('epsilon start', self.start)
        check_unit_interval('epsilon end', self.end)
        check_positive_int('epsilon decay_steps', self.decay_steps)

    def __call__(self, step: int) -> float:
        fraction = min(max(step, 0) / self.decay_steps, 1.0)
        return self.start + (self.end - self.start) * fraction


# A constant, a schedule over actor steps, or a variable the caller anneals.
Epsilon = Union[float, LinearEpsilon, tf.Variable]


@dataclasses.dataclass
class DQNConfig:
    """Everything `DQN` and the builder functions need besides spec and network.

    Defaults are Acme's TF DQN defaults, except `max_gradient_norm` (Acme: 1e10,
    i.e. none) and `reward_clip` (Acme always clips to [-1, 1]; here it is off
    unless set, since n-step returns of e.g. CartPole are not in [-1, 1]).
    """
    batch_size: int = 256
    prefetch_size: int = 4
    target_update_period: int = 100
    target_update_rate: Optional[float] = None
    samples_per_insert: float = 32.0
    min_replay_size: int = 1000
    max_replay_size: int = 1_000_000
    importance_sampling_exponent: float = 0.2
    priority_exponent: float = 0.6
    n_step: int = 5
    epsilon: Epsilon = 0.05
    learning_rate: float = 1e-3
    discount: float = 0.99
    huber_loss_parameter: float = 1.0
    max_gradient_norm: Optional[float] = None
    reward_clip: Optional[float] = None
    updates_per_call: int = 1
    jit_compile: bool = True
    num_parallel_calls: int = 2
    replay_table_name: str = DEFAULT_PRIORITY_TABLE

    def validate(self) -> None:
        """Raises a ValueError naming the first parameter out of its range."""
        check_positive_int('batch_size', self.batch_size)
        check_non_negative_int('prefetch_size', self.prefetch_size)
        check_positive_int('target_update_period', self.target_update_period)
        if self.target_update_rate is not None and not (
                is_real(self.target_update_rate) and 0 < self.target_update_rate <= 1):
            raise ValueError(f'target_update_rate must be in (0, 1] or None, got '
                             f'{self.target_update_rate!r}.')
        check_positive('samples_per_insert', self.samples_per_insert)
        check_positive_int('min_replay_size', self.min_replay_size)
        check_positive_int('max_replay_size', self.max_replay_size)
        if self.max_replay_size < self.min_replay_size:
            raise ValueError(f'max_replay_size must be >= min_replay_size '
                             f'({self.min_replay_size}), got {self.max_replay_size}.')
        check_unit_interval('importance_sampling_exponent',
                            self.importance_sampling_exponent)
        if not is_real(self.priority_exponent) or self.priority_exponent < 0:
            raise ValueError(f'priority_exponent must be >= 0, got '
                             f'{self.priority_exponent!r}.')
        check_positive_int('n_step', self.n_step)
        if not isinstance(self.epsilon, (LinearEpsilon, tf.Variable)):
            check_unit_interval('epsilon', self.epsilon)
        check_positive('learning_rate', self.learning_rate)
        check_unit_interval('discount', self.discount)
        check_positive('huber_loss_parameter', self.huber_loss_parameter)
        if self.max_gradient_norm is not None:
            check_positive('max_gradient_norm', self.max_gradient_norm)
        if self.reward_clip is not None:
            check_positive('reward_clip', self.reward_clip)
        check_positive_int('updates_per_call', self.updates_per_call)
        check_positive_int('num_parallel_calls', self.num_parallel_calls)
