"""The table of command-line agents: `AGENTS[name]` is an `AgentEntry`."""

import dataclasses
from typing import Any, Dict, List, Mapping, Optional, Tuple

from troupe import specs
from troupe.agents import a2c, d4pg, ddpg, dqn, impala, nfq, reinforce, sac, tabular, td3
from troupe.agents.registry import builders
from troupe.agents.registry import presets as presets_lib
from troupe.agents.registry.spaces import (ANY, CONTINUOUS, DISCRETE, action_kind,
                                           describe_actions, describe_spec, is_index)
from troupe.agents.registry.values import Parameter, check_value, parameters, split, to_json
from troupe.components import loggers


@dataclasses.dataclass(frozen=True)
class AgentEntry:
    """An agent of the command line; see `troupe.agents.registry`."""
    name: str
    description: str
    actions: str                 # DISCRETE, CONTINUOUS or ANY
    parameters: Mapping[str, Parameter]
    build_fn: builders.Builder
    presets: Mapping[str, presets_lib.Preset] = dataclasses.field(default_factory=dict)
    default_steps: int = 20_000
    state_index_observations: bool = False  # Tabular: observations are indices.

    @property
    def defaults(self) -> Dict[str, Any]:
        """Every hyperparameter with its default, JSON-friendly."""
        return {name: to_json(p.default) for name, p in self.parameters.items()}

    def preset(self, env_name: str) -> presets_lib.Preset:
        """The preset for `env_name`, or an empty one."""
        return self.presets.get(env_name, presets_lib.Preset())

    def resolve(self, env_name: str, overrides: Mapping[str, Any]) -> Dict[str, Any]:
        """Defaults, then the environment's preset, then `overrides`, all checked.

        Raises:
          ValueError: for a key the agent does not have (listing the valid keys)
            or a value of the wrong type (naming what was expected).
        """
        unknown = [key for key in overrides if key not in self.parameters]
        if unknown:
            raise ValueError(
                f'{self.name} has no hyperparameter {unknown[0]!r}. Valid keys: '
                f'{", ".join(self.parameters) or "(none)"}.')
        values = self.defaults
        values.update(to_json(dict(self.preset(env_name).hyperparameters)))
        for key, value in overrides.items():
            values[key] = to_json(check_value(
                self.name, key, value, self.parameters[key].annotation))
        return values

    def check_can_act(self, env_name: str, spec: specs.EnvironmentSpec) -> None:
        """Raises a ValueError unless this agent can act in `spec`."""
        kind = action_kind(spec)
        needed = {DISCRETE: 'discrete actions', CONTINUOUS: 'continuous actions'}
        if kind == 'multi-agent':
            raise ValueError(
                f'{self.name} cannot act in {env_name!r}: it is a multi-agent '
                'environment, which `troupe train` does not run.')
        if self.actions != ANY and kind != self.actions:
            others = [n for n, e in AGENTS.items() if e.actions in (kind, ANY)
                      and not (e.state_index_observations
                               and not is_index(spec.observations))]
            raise ValueError(
                f'{self.name} cannot act in {env_name!r}: it needs '
                f'{needed[self.actions]}, and {env_name!r} has '
                f'{describe_actions(spec)}. Agents for it: {", ".join(others)}.')
        if self.state_index_observations and not is_index(spec.observations):
            raise ValueError(
                f'{self.name} cannot act in {env_name!r}: it needs state-index '
                'observations (a DiscreteArray, e.g. gridworld/* with observation_'
                f'type STATE_INDEX), and {env_name!r} observes '
                f'{describe_spec(spec.observations)}.')

    def environment_kwargs(self, env_name: str) -> Dict[str, Any]:
        """Keyword arguments of `environments.make` for this agent (JSON-friendly).

        Besides the preset's, grid-worlds give neural agents the agent's and the
        goal's positions (`AGENT_GOAL_POS`) instead of a bare state index.
        """
        kwargs = dict(self.preset(env_name).env_kwargs)
        if (env_name.startswith('gridworld/') and not self.state_index_observations
                and self.actions != ANY):
            kwargs.setdefault('observation_type', 'AGENT_GOAL_POS')
        return kwargs

    def budget(self, env_name: str) -> Tuple[Optional[int], Optional[int]]:
        """The default (steps, episodes) budget on `env_name`; one is None."""
        preset = self.preset(env_name)
        if preset.episodes is not None:
            return None, preset.episodes
        return (preset.steps or self.default_steps), None

    def build(self, spec: specs.EnvironmentSpec, hyperparameters: Mapping[str, Any],
              logger: Optional[loggers.Logger] = None, seed: int = 0) -> builders.BuiltAgent:
        """Builds the agent from resolved hyperparameters (see `resolve`)."""
        missing = [key for key in self.parameters if key not in hyperparameters]
        extra = [key for key in hyperparameters if key not in self.parameters]
        if missing or extra:
            raise ValueError(f'{self.name} hyperparameters do not match: missing '
                             f'{missing}, unknown {extra}.')
        agent_kwargs, network_kwargs = split(hyperparameters, self.parameters)
        return self.build_fn(spec, agent_kwargs, network_kwargs,
                             logger if logger is not None else loggers.NoOpLogger(),
                             int(seed))

def _entries() -> Dict[str, AgentEntry]:
    entries: List[AgentEntry] = []
    add = entries.append
    add(AgentEntry(
        'dqn', 'DQN: double-Q, n-step, prioritized replay', DISCRETE,
        parameters(dqn.DQN, dqn.make_mlp_network), builders.build_dqn,
        presets={'cartpole': presets_lib.DQN_CARTPOLE, 'gym:CartPole-v1': presets_lib.DQN_CARTPOLE,
                 'catch': presets_lib.DQN_CATCH}))
    add(AgentEntry(
        'nfq', 'Neural fitted Q-learning (EEML tutorial)', DISCRETE,
        parameters(nfq.NFQ, dqn.make_mlp_network, skip=('dueling',)), builders.build_nfq,
        presets={'gridworld/simple': presets_lib.NFQ_GRIDWORLD}))
    for name, agent_class, module, description in (
            ('reinforce', reinforce.REINFORCE, reinforce,
             'REINFORCE with a learned baseline'),
            ('a2c', a2c.A2C, a2c, 'Advantage actor-critic (GAE)'),
            ('impala', impala.IMPALA, impala, 'IMPALA (V-trace)')):
        add(AgentEntry(
            name, description, DISCRETE,
            parameters(agent_class, module.make_network),
            builders.on_policy_builder(agent_class, module.make_network),
            presets={'cartpole': presets_lib.Preset(steps=presets_lib.ON_POLICY_CARTPOLE_STEPS[name],
                                        source='benchmarks/on_policy_cartpole.py')}))
    for name, agent_class, networks_fn, description in (
            ('ddpg', ddpg.DDPG, ddpg.make_default_networks,
             'Deep deterministic policy gradient'),
            ('d4pg', d4pg.D4PG, d4pg.make_default_networks,
             'Distributional DDPG'),
            ('td3', td3.TD3, td3.make_default_networks, 'Twin delayed DDPG')):
        add(AgentEntry(
            name, description, CONTINUOUS,
            parameters(agent_class, networks_fn), builders.deterministic_builder(name),
            presets=presets_lib.continuous_presets(name)))
    add(AgentEntry(
        'sac', 'Soft actor-critic', CONTINUOUS,
        parameters(sac.SAC, sac.make_networks), builders.build_sac,
        presets=presets_lib.continuous_presets('sac')))
    for name, agent_class, preset, description in (
            ('q_learning', tabular.QLearning, presets_lib.TABULAR_OPTIMISTIC,
             'Tabular Q-learning'),
            ('sarsa', tabular.Sarsa, presets_lib.TABULAR_OPTIMISTIC, 'Tabular SARSA'),
            ('expected_sarsa', tabular.ExpectedSarsa, presets_lib.TABULAR_OPTIMISTIC,
             'Tabular expected SARSA'),
            ('monte_carlo', tabular.MonteCarloControl, presets_lib.TABULAR_ANNEALED,
             'Tabular Monte Carlo control'),
            ('q_learning_replay', tabular.QLearningWithReplay, presets_lib.TABULAR_OPTIMISTIC,
             'Tabular Q-learning with replay (Dyna-style)')):
        add(AgentEntry(
            name, description, DISCRETE, parameters(agent_class),
            builders.tabular_builder(agent_class), presets=presets_lib.tabular_presets(preset),
            default_steps=presets_lib.TABULAR_STEPS, state_index_observations=True))
    add(AgentEntry('random', 'Uniformly random actions (a baseline)', ANY, {},
                   builders.build_random, default_steps=10_000))
    return {entry.name: entry for entry in entries}


AGENTS: Dict[str, AgentEntry] = _entries()


def get(name: str) -> AgentEntry:
    """The entry of agent `name`; a ValueError lists the known agents."""
    if name not in AGENTS:
        raise ValueError(f'Unknown agent {name!r}. Known agents: '
                         f'{", ".join(AGENTS)}.')
    return AGENTS[name]


def names() -> List[str]:
    return list(AGENTS)
