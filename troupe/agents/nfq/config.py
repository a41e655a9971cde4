"""NFQ's hyperparameters: the EEML 2021 tutorial's defaults, one documented field
each."""

import dataclasses
from typing import Sequence

from troupe.agents import checks, configs
from troupe.agents.configs import hyperparameter


@dataclasses.dataclass
class NFQConfig(configs.ReplayConfig):
    """Neural fitted Q-learning: one-step Q-learning targets from the network
    itself (no target network), uniform replay, an ε-greedy actor.

    The replay ratio is NFQ's own `observations_per_step` (env steps per
    learner step), not `samples_per_insert`: that one is derived from it,
    batch_size · updates_per_call / observations_per_step, for a distributed
    table's rate limiter.
    """

    batch_size: int = hyperparameter(32, 'transitions per update',
                                     checks.check_positive_int)
    prefetch_size: int = hyperparameter(2, 'batches the dataset prefetches (0: none)',
                                        checks.check_non_negative_int)
    n_step: int = hyperparameter(1, 'steps of the n-step returns (NFQ: 1)',
                                 checks.check_positive_int)
    min_replay_size: int = hyperparameter(
        100, 'transitions stored before learning starts', checks.check_positive_int)
    max_replay_size: int = hyperparameter(
        100_000, 'replay capacity (oldest evicted first)', checks.check_positive_int)
    samples_per_insert: float = hyperparameter(
        32.0, 'not used by NFQ: its replay ratio is observations_per_step',
        checks.check_positive, command_line=False)
    observations_per_step: float = hyperparameter(
        1.0, 'env steps per learner step (< 1: several steps per env step)',
        checks.check_positive)
    learning_rate: float = hyperparameter(1e-3, "Adam's learning rate",
                                          checks.check_positive)
    epsilon: float = hyperparameter(0.1, 'ε of the ε-greedy actor',
                                    checks.check_unit_interval)
    hidden_sizes: Sequence[int] = hyperparameter(
        (64, 64), "the default Q-network's hidden layers")

    def check_relations(self) -> None:
        super().check_relations()
        for size in self.hidden_sizes:
            checks.check_positive_int(f'{type(self).__name__}.hidden_sizes entry', size)

    @property
    def replay_samples_per_insert(self) -> float:
        """The samples per insert that `observations_per_step` amounts to."""
        return self.batch_size * self.updates_per_call / self.observations_per_step
