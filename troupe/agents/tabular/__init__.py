"""Tabular agents: Actors with a Q-table, and planners on a known model.

Every agent here is a `troupe.Actor` that learns inside `observe`, so
`troupe.EnvironmentLoop` runs it as it is, with no Reverb and no TensorFlow.
Observations are state indices and actions indices (`DiscreteArray` specs).
Each exposes `q_values` ([S, A]) and `greedy_policy()` for plots.

- `RandomAgent`: the uniform baseline.
- `TDPolicyEvaluation`: TD(0) evaluation of a given policy.
- `QLearning`, `Sarsa`, `ExpectedSarsa`: one-step TD control.
- `MonteCarloControl`: first- or every-visit Monte Carlo control.
- `QLearningWithReplay`: Q-learning plus replayed past transitions.
- `planning`: policy evaluation, policy iteration and value iteration.
- `exploration`: epsilon-greedy with fixed or scheduled (`LinearSchedule`) epsilon.
"""

from troupe.agents.tabular import exploration, planning
from troupe.agents.tabular.base import TabularActor
from troupe.agents.tabular.exploration import (ConstantSchedule, EpsilonGreedy,
                                               LinearSchedule, Schedule)
from troupe.agents.tabular.monte_carlo import MonteCarloControl
from troupe.agents.tabular.planning import (PlanningResult, greedy_policy,
                                            policy_evaluation, policy_iteration,
                                            q_from_values, solve_value_iteration,
                                            value_iteration)
from troupe.agents.tabular.policy_evaluation import TDPolicyEvaluation
from troupe.agents.tabular.random_agent import RandomAgent
from troupe.agents.tabular.replay import QLearningWithReplay, TransitionBuffer
from troupe.agents.tabular.rollout import greedy_path_length
from troupe.agents.tabular.td import ExpectedSarsa, QLearning, Sarsa

__all__ = [
    'ConstantSchedule', 'EpsilonGreedy', 'ExpectedSarsa', 'LinearSchedule',
    'MonteCarloControl', 'PlanningResult', 'QLearning', 'QLearningWithReplay',
    'RandomAgent', 'Sarsa', 'Schedule', 'TDPolicyEvaluation', 'TabularActor',
    'TransitionBuffer', 'exploration', 'greedy_path_length', 'greedy_policy',
    'planning', 'policy_evaluation', 'policy_iteration', 'q_from_values',
    'solve_value_iteration', 'value_iteration',
]
