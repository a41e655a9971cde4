"""DQN's hyperparameters: Acme's names and defaults, one documented field each."""

import dataclasses
from typing import Optional, Sequence, Union

import tensorflow as tf

from troupe.agents import checks, configs
from troupe.agents.configs import hyperparameter
from troupe.components import schedules

# ε: a constant, a schedule over the actor's env steps, or a float32 variable
# that the caller anneals (as in Acme).
LinearEpsilon = schedules.LinearSchedule
Epsilon = Union[float, schedules.LinearSchedule, tf.Variable]


def check_epsilon(name: str, value) -> None:
    """ε in [0, 1]; a schedule's start and end in [0, 1]."""
    if isinstance(value, schedules.LinearSchedule):
        checks.check_unit_interval(f'{name} start', value.start)
        checks.check_unit_interval(f'{name} end', value.end)
    elif not isinstance(value, tf.Variable):
        checks.check_unit_interval(name, value)


@dataclasses.dataclass
class DQNConfig(configs.PrioritizedReplayConfig):
    """Deep Q-Networks: double-Q n-step targets from a prioritized replay table.

    Defaults are Acme's TF DQN ones, except `max_gradient_norm` (Acme: 1e10,
    i.e. none) and `reward_clip` (Acme always clips to [-1, 1]; here it is off
    unless set, since n-step returns of e.g. CartPole are not in [-1, 1]).
    """

    learning_rate: float = hyperparameter(1e-3, "Adam's learning rate",
                                          checks.check_positive)
    target_update_period: int = hyperparameter(
        100, 'updates between target-network copies', checks.check_positive_int)
    target_update_rate: Optional[float] = hyperparameter(
        None, 'Polyak rate τ applied every update instead of periodic copies',
        checks.check_rate)
    epsilon: Epsilon = hyperparameter(
        0.05, 'ε of the ε-greedy actor: a number or a schedule [start, end, steps] '
        "over the actor's env steps", check_epsilon)
    epsilon_update_period: int = hyperparameter(
        10, 'actor env steps between writes of a scheduled ε',
        checks.check_positive_int)
    huber_loss_parameter: float = hyperparameter(1.0, 'the Huber loss δ',
                                                 checks.check_positive)
    max_gradient_norm: Optional[float] = hyperparameter(
        None, 'clips the global gradient norm (None: no clipping)',
        checks.check_positive)
    reward_clip: Optional[float] = hyperparameter(
        None, 'clips n-step rewards to [-c, c] (None: no clipping)',
        checks.check_positive)
    hidden_sizes: Sequence[int] = hyperparameter(
        (64, 64), "the default Q-network's hidden layers (vector observations)")
    dueling: bool = hyperparameter(False, 'a duelling head on the default Q-network')

    def check_relations(self) -> None:
        super().check_relations()
        for size in self.hidden_sizes:
            checks.check_positive_int(f'{type(self).__name__}.hidden_sizes entry', size)
