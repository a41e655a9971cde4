"""What every on-policy agent's hyperparameters share (REINFORCE, A2C, IMPALA)."""

import dataclasses
from typing import Optional, Sequence

from troupe import errors
from troupe.agents import checks, configs
from troupe.agents.configs import hyperparameter
from troupe.components.adders import DEFAULT_PRIORITY_TABLE


@dataclasses.dataclass
class OnPolicyConfig(configs.LearnerConfig):
    """Sequences of T + 1 steps, written every T steps into a FIFO queue; one
    learner update per `batch_size` of them, each consumed once.

    Consecutive sequences overlap by one step: the observation that bootstraps
    the earlier one. The default network is a `PolicyValueMLP` of `hidden_sizes`.
    """

    sequence_length: int = hyperparameter(
        20, 'T, the steps each sequence contributes to the loss',
        checks.check_positive_int)
    batch_size: int = hyperparameter(2, 'sequences per learner update',
                                     checks.check_positive_int)
    discount: float = hyperparameter(0.99, 'the agent discount γ',
                                     checks.check_unit_interval)
    learning_rate: float = hyperparameter(1e-3, "Adam's learning rate",
                                          checks.check_positive)
    entropy_cost: float = hyperparameter(0.01, 'weight of the entropy bonus',
                                         checks.check_non_negative)
    baseline_cost: float = hyperparameter(0.5, 'weight of the value loss',
                                          checks.check_non_negative)
    max_gradient_norm: Optional[float] = hyperparameter(
        None, 'clips the global gradient norm (None: no clipping)',
        checks.check_positive)
    max_abs_reward: Optional[float] = hyperparameter(
        None, 'clips rewards to [-c, c] in the learner (None: no clipping)',
        checks.check_positive)
    max_queue_size: int = hyperparameter(
        10_000, 'capacity of the FIFO queue (inserts wait while it is full)',
        checks.check_positive_int)
    replay_table_name: str = hyperparameter(DEFAULT_PRIORITY_TABLE,
                                            "the queue table's name")
    hidden_sizes: Sequence[int] = hyperparameter(
        (64, 64), "the default network's hidden layers")
    shared_torso: bool = hyperparameter(
        False, 'one MLP torso for policy and value in the default feed-forward '
        'network (else one MLP each)')

    def check_relations(self) -> None:
        super().check_relations()
        name = type(self).__name__
        for size in self.hidden_sizes:
            checks.check_positive_int(f'{name}.hidden_sizes entry', size)
        if self.max_queue_size < self.batch_size:
            raise errors.InvalidInput(f'{name}.max_queue_size must be >= batch_size '
                             f'({self.batch_size}), got {self.max_queue_size}.')
