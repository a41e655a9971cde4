"""The tabular agents' hyperparameters, as the command line sets them.

The agents check ranges themselves (they are plain classes with named
arguments); these configs give the command line their fields, types, defaults
and documentation, and check the same ranges when they are made, so a bad
value is named before any environment is built.
"""

import dataclasses
from typing import Optional, Union

from troupe.agents import checks, configs
from troupe.agents.configs import hyperparameter
from troupe.components import schedules


def check_epsilon(name: str, value) -> None:
    """ε in [0, 1]; a schedule's start and end in [0, 1]."""
    if isinstance(value, schedules.LinearSchedule):
        checks.check_unit_interval(f'{name} start', value.start)
        checks.check_unit_interval(f'{name} end', value.end)
    else:
        checks.check_unit_interval(name, value)


@dataclasses.dataclass
class TabularConfig(configs.AgentConfig):
    """One-step TD control (Q-learning, SARSA, expected SARSA)."""

    epsilon: Union[float, schedules.LinearSchedule] = hyperparameter(
        0.1, 'ε of the ε-greedy behaviour: a number or a schedule [start, end, steps]',
        check_epsilon)
    step_size: float = hyperparameter(0.1, 'the learning rate α, in (0, 1]',
                                      checks.check_rate)
    discount: float = hyperparameter(1.0, "the agent's discount, in [0, 1]",
                                     checks.check_unit_interval)
    initial_q_values: Optional[float] = hyperparameter(
        None, 'every entry of the starting table (None: zeros; optimistic values '
        'make a greedy learner try every action)', checks.check_finite)


@dataclasses.dataclass
class MonteCarloConfig(TabularConfig):
    """Monte Carlo control."""

    step_size: Optional[float] = hyperparameter(
        None, 'a constant step size in (0, 1] (None: sample averages)',
        checks.check_rate)
    first_visit: bool = hyperparameter(True, 'first-visit (else every-visit) returns')


@dataclasses.dataclass
class ReplayQLearningConfig(TabularConfig):
    """Q-learning with replayed past transitions."""

    num_offline_updates: int = hyperparameter(
        10, 'replayed transitions learned from after every real one',
        checks.check_non_negative_int)
    replay_capacity: int = hyperparameter(100_000, 'transitions the buffer holds',
                                          checks.check_positive_int)


@dataclasses.dataclass
class RandomConfig(configs.AgentConfig):
    """The uniformly random baseline: nothing to set but its seed."""
