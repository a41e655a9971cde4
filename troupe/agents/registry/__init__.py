"""Every agent `troupe train` can run, with its config and presets, in one place.

`AGENTS[name]` is an `AgentEntry` (`entries`): its builder (or, for the tabular
agents and the random baseline, its actor class), its config dataclass (the
hyperparameters, read with `dataclasses.fields`), what it acts in, and
per-environment `Preset`s (`presets`: config instances the benchmarks found
good). `build(entry, spec, config)` (`building`) returns a `BuiltAgent`: the
acting-and-learning actor for an `EnvironmentLoop`, a factory of evaluation
(greedy) actors, and the objects a `Checkpointer` saves.

    entry = registry.get('dqn')
    config = entry.resolve('cartpole', {'batch_size': 32}, seed=0)
    environment = registry.make_environment('cartpole', seed=0)
    built = registry.build(entry, troupe.make_environment_spec(environment), config)
"""

from troupe.agents.configs import to_json
from troupe.agents.registry.building import BuiltAgent, build, check_num_envs
from troupe.agents.registry.entries import AGENTS, AgentEntry, get, names
from troupe.agents.registry.environments import make_environment
from troupe.agents.registry.presets import Preset
from troupe.agents.spaces import (ANY, CONTINUOUS, DISCRETE, MULTI_AGENT, action_kind,
                                  describe_actions, describe_spec)

__all__ = [
    'AGENTS', 'ANY', 'AgentEntry', 'BuiltAgent', 'CONTINUOUS', 'DISCRETE', 'MULTI_AGENT',
    'Preset', 'action_kind', 'build', 'check_num_envs', 'describe_actions',
    'describe_spec', 'get', 'make_environment', 'names', 'to_json',
]
