"""The tabular agents' hyperparameters, as the command line sets them.

The agents check ranges themselves (they are plain classes with named
arguments); these configs give the command line their fields, types, defaults
and documentation.
"""

import dataclasses
from typing import Optional, Union

from troupe.agents import configs
from troupe.agents.configs import hyperparameter
from troupe.components import schedules


@dataclasses.dataclass
class TabularConfig(configs.AgentConfig):
    """One-step TD control (Q-learning, SARSA, expected SARSA)."""

    epsilon: Union[float, schedules.LinearSchedule] = hyperparameter(
        0.1, 'ε of the ε-greedy behaviour: a number or a schedule [start, end, steps]')
    step_size: float = hyperparameter(0.1, 'the learning rate α, in (0, 1]')
    discount: float = hyperparameter(1.0, "the agent's discount, in [0, 1]")
    initial_q_values: Optional[float] = hyperparameter(
        None, 'every entry of the starting table (None: zeros; optimistic values '
        'make a greedy learner try every action)')


@dataclasses.dataclass
class MonteCarloConfig(TabularConfig):
    """Monte Carlo control."""

    step_size: Optional[float] = hyperparameter(
        None, 'a constant step size in (0, 1] (None: sample averages)')
    first_visit: bool = hyperparameter(True, 'first-visit (else every-visit) returns')


@dataclasses.dataclass
class ReplayQLearningConfig(TabularConfig):
    """Q-learning with replayed past transitions."""

    num_offline_updates: int = hyperparameter(
        10, 'replayed transitions learned from after every real one')
    replay_capacity: int = hyperparameter(100_000, 'transitions the buffer holds')


@dataclasses.dataclass
class RandomConfig(configs.AgentConfig):
    """The uniformly random baseline: nothing to set but its seed."""
