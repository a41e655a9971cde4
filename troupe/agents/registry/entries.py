"""The table of command-line agents: `AGENTS[name]` is an `AgentEntry`.

An agent with a builder is its builder class: its name, config (the
hyperparameters, read with `dataclasses.fields`), what it acts in and whether it
acts batched all come from there. The tabular agents and the random baseline,
which have no replay or learner, are plain actors with a config of their own.
"""

import dataclasses
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from troupe import specs
from troupe.agents import builders as builders_lib
from troupe.agents import configs, spaces
from troupe.agents import a2c, d4pg, ddpg, dqn, impala, maddpg, nfq, reinforce, sac
from troupe.agents import bootstrapped_dqn
from troupe.agents import tabular, td3
from troupe.agents.registry import presets as presets_lib
from troupe.agents.tabular import config as tabular_config
from troupe import errors


@dataclasses.dataclass(frozen=True)
class AgentEntry:
    """An agent of the command line.

    Attributes:
      name: the command-line name.
      description: one line for `troupe list`.
      config_class: the hyperparameters' dataclass.
      builder_class: the agent's builder (None for actors without a learner).
      actor_class: for agents without a builder, `actor_class(spec, **config)`.
      actions: what it acts in (spaces.DISCRETE, CONTINUOUS, MULTI_AGENT, ANY).
      presets: environment name -> Preset.
      default_steps: the budget without a preset.
      state_index_observations: the agent needs state-index observations.
    """
    name: str
    description: str
    config_class: type
    builder_class: Optional[type] = None
    actor_class: Optional[Callable[..., Any]] = None
    actions: str = spaces.DISCRETE
    presets: Mapping[str, presets_lib.Preset] = dataclasses.field(default_factory=dict)
    default_steps: int = 20_000
    state_index_observations: bool = False

    @property
    def parameters(self) -> Dict[str, dataclasses.Field]:
        """The hyperparameters `--config KEY=VALUE` may set (`seed` is --seed)."""
        return {name: field for name, field
                in configs.command_line_fields(self.config_class).items()
                if name != 'seed'}

    @property
    def batched_acting(self) -> bool:
        """Whether the agent can act on a `BatchedEnvironment` (--num-envs)."""
        if self.builder_class is not None:
            return self.builder_class.batched_acting
        return self.name == 'random'

    @property
    def distributed(self) -> bool:
        """Whether `troupe train --distributed` runs the agent."""
        return self.builder_class is not None

    def preset(self, env_name: str, num_envs: Optional[int] = None
               ) -> presets_lib.Preset:
        """The preset for `env_name` (the N-copy one with `num_envs`), or none."""
        if num_envs is not None:
            batched = presets_lib.NUM_ENVS_PRESETS.get((self.name, env_name))
            if batched is not None:
                return batched
        return self.presets.get(env_name, presets_lib.Preset())

    def defaults(self) -> configs.AgentConfig:
        return self.config_class()

    def resolve(self, env_name: str, overrides: Mapping[str, Any],
                seed: Optional[int] = None,
                num_envs: Optional[int] = None) -> configs.AgentConfig:
        """The config: the defaults, then the environment's preset, then
        `overrides` (JSON-friendly values), then `seed`; validated by the config.

        Raises:
          ValueError: for a key the agent does not have (listing the valid
            keys) or a value of the wrong type or range (from the config).
        """
        fields = self.parameters
        unknown = [key for key in overrides if key not in fields]
        if unknown:
            raise errors.InvalidInput(
                f'{self.name} has no hyperparameter {unknown[0]!r}. Valid keys: '
                f'{", ".join(fields) or "(none)"}.')
        config = self.preset(env_name, num_envs).config or self.config_class()
        changes = dict(overrides)
        if seed is not None:
            changes['seed'] = seed
        return dataclasses.replace(config, **changes)

    def config_from_json(self, values: Mapping[str, Any]) -> configs.AgentConfig:
        """The config written in a run's config.json (`config.to_json()`)."""
        return self.config_class.from_json(dict(values))

    def check_can_act(self, env_name: str, spec: specs.EnvironmentSpec) -> None:
        """Raises a ValueError unless this agent can act in `spec`, naming the
        agents that can."""
        try:
            spaces.check_can_act(self.name, self.actions, spec, repr(env_name))
            if self.state_index_observations and not spaces.is_index(spec.observations):
                raise errors.InvalidInput(
                    f'{self.name} cannot act in {env_name!r}: it needs state-index '
                    'observations (a DiscreteArray, e.g. gridworld/* with '
                    f'observation_type STATE_INDEX), and {env_name!r} observes '
                    f'{spaces.describe_spec(spec.observations)}.')
        except ValueError as error:
            others = [name for name, entry in AGENTS.items() if entry.can_act(spec)]
            raise errors.InvalidInput(f'{error} Agents for it: '
                             f'{", ".join(others) or "none"}.') from None

    def can_act(self, spec: specs.EnvironmentSpec) -> bool:
        return spaces.can_act(self.actions, spec) and not (
            self.state_index_observations and not spaces.is_index(spec.observations))

    def environment_kwargs(self, env_name: str) -> Dict[str, Any]:
        """Keyword arguments of `environments.make` for this agent (JSON-friendly).

        Besides the preset's, grid-worlds give neural agents the agent's and the
        goal's positions (`AGENT_GOAL_POS`) instead of a bare state index.
        """
        kwargs = dict(self.preset(env_name).env_kwargs)
        if (env_name.startswith('gridworld/') and not self.state_index_observations
                and self.actions != spaces.ANY):
            kwargs.setdefault('observation_type', 'AGENT_GOAL_POS')
        return kwargs

    def budget(self, env_name: str, num_envs: Optional[int] = None
               ) -> Tuple[Optional[int], Optional[int]]:
        """The default (steps, episodes) budget on `env_name`; one is None."""
        preset = self.preset(env_name, num_envs)
        if preset.episodes is not None:
            return None, preset.episodes
        return (preset.steps or self.default_steps), None

    def make_builder(self, config: configs.AgentConfig) -> builders_lib.ActorLearnerBuilder:
        if self.builder_class is None:
            raise errors.InvalidInput(f'{self.name} has no builder (it has no learner).')
        return self.builder_class(config)


def _builder_entry(builder_class, description: str, **kwargs) -> AgentEntry:
    return AgentEntry(builder_class.name, description, builder_class.config_class,
                      builder_class=builder_class, actions=builder_class.actions,
                      **kwargs)


def _entries() -> Dict[str, AgentEntry]:
    entries: List[AgentEntry] = []
    add = entries.append
    add(_builder_entry(
        dqn.DQNBuilder, 'DQN: double-Q, n-step, prioritized replay',
        presets={'cartpole': presets_lib.DQN_CARTPOLE,
                 'gym:CartPole-v1': presets_lib.DQN_CARTPOLE,
                 'catch': presets_lib.DQN_CATCH}))
    add(_builder_entry(
        bootstrapped_dqn.BootstrappedDQNBuilder,
        'Bootstrapped DQN with randomized prior functions (deep exploration)',
        presets={'deep_sea': presets_lib.BOOTSTRAPPED_DQN_DEEP_SEA}))
    add(_builder_entry(nfq.NFQBuilder, 'Neural fitted Q-learning (EEML tutorial)',
                       presets={'gridworld/simple': presets_lib.nfq_gridworld()}))
    for builder_class, description in (
            (reinforce.ReinforceBuilder, 'REINFORCE with a learned baseline'),
            (a2c.A2CBuilder, 'Advantage actor-critic (GAE)'),
            (impala.IMPALABuilder, 'IMPALA (V-trace)')):
        steps = presets_lib.ON_POLICY_CARTPOLE_STEPS[builder_class.name]
        add(_builder_entry(builder_class, description, presets={
            'cartpole': presets_lib.Preset(steps=steps,
                                           source='benchmarks/on_policy_cartpole.py')}))
    for builder_class, description in (
            (ddpg.DDPGBuilder, 'Deep deterministic policy gradient'),
            (d4pg.D4PGBuilder, 'Distributional DDPG'),
            (td3.TD3Builder, 'Twin delayed DDPG'),
            (sac.SACBuilder, 'Soft actor-critic')):
        add(_builder_entry(builder_class, description,
                           presets=presets_lib.continuous_presets(builder_class.name)))
    add(_builder_entry(maddpg.MADDPGBuilder,
                       'Multi-agent DDPG with centralised critics'))
    for name, actor_class, config_class, preset, description in (
            ('q_learning', tabular.QLearning, tabular_config.TabularConfig,
             presets_lib.TABULAR_OPTIMISTIC, 'Tabular Q-learning'),
            ('sarsa', tabular.Sarsa, tabular_config.TabularConfig,
             presets_lib.TABULAR_OPTIMISTIC, 'Tabular SARSA'),
            ('expected_sarsa', tabular.ExpectedSarsa, tabular_config.TabularConfig,
             presets_lib.TABULAR_OPTIMISTIC, 'Tabular expected SARSA'),
            ('monte_carlo', tabular.MonteCarloControl, tabular_config.MonteCarloConfig,
             presets_lib.TABULAR_ANNEALED, 'Tabular Monte Carlo control'),
            ('q_learning_replay', tabular.QLearningWithReplay,
             tabular_config.ReplayQLearningConfig, presets_lib.TABULAR_OPTIMISTIC,
             'Tabular Q-learning with replay (Dyna-style)')):
        add(AgentEntry(
            name, description, config_class, actor_class=actor_class,
            presets=presets_lib.tabular_presets(config_class(**preset)),
            default_steps=presets_lib.TABULAR_STEPS, state_index_observations=True))
    add(AgentEntry('random', 'Uniformly random actions (a baseline)',
                   tabular_config.RandomConfig, actions=spaces.ANY,
                   default_steps=10_000))
    return {entry.name: entry for entry in entries}


AGENTS: Dict[str, AgentEntry] = _entries()


def get(name: str) -> AgentEntry:
    """The entry of agent `name`; a ValueError lists the known agents."""
    if name not in AGENTS:
        raise errors.InvalidInput(f'Unknown agent {name!r}. Known agents: '
                         f'{", ".join(AGENTS)}.')
    return AGENTS[name]


def names() -> List[str]:
    return list(AGENTS)
