"""Every agent `troupe train` can run, with its defaults and presets, in one place.

`AGENTS[name]` is an `AgentEntry` (`entries`):

- the kind of action (and observation) space the agent acts in (`spaces`);
- its hyperparameters with their defaults, read from the signatures of the
  agent's constructor and of its network factory, so no default is copied
  (`values`);
- per-environment `Preset`s: the hyperparameters, environment arguments and
  budgets the benchmarks found good (`presets`: `benchmarks/dqn_cartpole.py`,
  `continuous_control.py`, `on_policy_cartpole.py`, `nfq_gridworld.py`,
  `tabular_gridworld.py`, and `dqn.presets` for Catch);
- `build(environment_spec, hyperparameters, logger, seed)`, which returns a
  `BuiltAgent` (`builders`): the acting-and-learning actor for an
  `EnvironmentLoop`, a factory of evaluation (greedy) actors (`evaluation`), and
  the objects a `Checkpointer` saves, so a later process can rebuild the agent
  and restore them.

    entry = registry.get('dqn')
    hyperparameters = entry.resolve('cartpole', {'batch_size': 32})
    environment = registry.make_environment('cartpole', seed=0)
    built = entry.build(troupe.make_environment_spec(environment), hyperparameters)
"""

from troupe.agents.registry.builders import Builder, BuiltAgent
from troupe.agents.registry.entries import AGENTS, AgentEntry, get, names
from troupe.agents.registry.presets import Preset
from troupe.agents.registry.spaces import (ANY, CONTINUOUS, DISCRETE, action_kind,
                                           describe_actions, describe_spec,
                                           make_environment)
from troupe.agents.registry.values import Parameter, check_value, to_json

__all__ = [
    'AGENTS', 'ANY', 'AgentEntry', 'Builder', 'BuiltAgent', 'CONTINUOUS', 'DISCRETE',
    'Parameter', 'Preset', 'action_kind', 'check_value', 'describe_actions',
    'describe_spec', 'get', 'make_environment', 'names', 'to_json',
]
