"""Settings the benchmarks found good, per agent and environment.

Each `Preset` names the benchmark that measured it (`source`);
tests/test_cli_registry.py checks that the numbers still match the benchmark
scripts. The DQN CartPole and continuous-control settings are kept here in the
benchmarks' own form, so that the benchmarks can import them from here.
"""

import dataclasses
from typing import Any, Dict, Mapping, Optional

from troupe.agents import dqn
from troupe.agents.registry.values import to_json


@dataclasses.dataclass(frozen=True)
class Preset:
    """Settings found good for one agent on one environment.

    Attributes:
      hyperparameters: overrides of the agent's defaults.
      env_kwargs: keyword arguments of `environments.make`.
      steps: the default training budget in environment steps, or
      episodes: the default budget in episodes.
      source: where the settings were measured.
    """
    hyperparameters: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    env_kwargs: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    steps: Optional[int] = None
    episodes: Optional[int] = None
    source: str = ''


# benchmarks/dqn_cartpole.py: >= 475 greedy return within 50k steps, 5 of 5 seeds.
# In the benchmark's form, so that it can import them from here.
DQN_CARTPOLE_CONFIG = dict(batch_size=64, samples_per_insert=32.0, min_replay_size=1000,
                           n_step=3, epsilon=dqn.LinearEpsilon(1.0, 0.04, 8000),
                           learning_rate=1e-3, target_update_period=200, discount=0.99,
                           max_gradient_norm=10.0, updates_per_call=8,
                           max_replay_size=100_000)
DQN_CARTPOLE_HIDDEN = (256, 256)
DQN_CARTPOLE = Preset(
    hyperparameters=dict(to_json(DQN_CARTPOLE_CONFIG),
                         hidden_sizes=list(DQN_CARTPOLE_HIDDEN)),
    steps=50_000, source='benchmarks/dqn_cartpole.py')

# benchmarks/dqn_cartpole_vectorised.py: DQN acting on N copies of CartPole
# (`num_envs`), the schedule in env steps of all copies. The single-environment
# settings with twice its replay ratio (one update of 64 per env step instead of
# 0.5), learning from 500 env steps and ε annealed over 4,000: in the tuning
# runs these reached 475 in fewer env steps and seconds than the single-
# environment schedule on 8 copies.
DQN_CARTPOLE_VECTORISED_NUM_ENVS = 8
DQN_CARTPOLE_VECTORISED_HIDDEN = DQN_CARTPOLE_HIDDEN
DQN_CARTPOLE_VECTORISED_CONFIG = dict(
    DQN_CARTPOLE_CONFIG, samples_per_insert=64.0, min_replay_size=500,
    epsilon=dqn.LinearEpsilon(1.0, 0.04, 4000))
DQN_CARTPOLE_VECTORISED = Preset(
    hyperparameters=dict(to_json(DQN_CARTPOLE_VECTORISED_CONFIG),
                         hidden_sizes=list(DQN_CARTPOLE_VECTORISED_HIDDEN)),
    steps=20_000, source='benchmarks/dqn_cartpole_vectorised.py')

# `troupe train AGENT --env NAME --num-envs N` uses these instead of the
# environment's own preset, whatever N.
NUM_ENVS_PRESETS = {
    ('dqn', 'cartpole'): DQN_CARTPOLE_VECTORISED,
    ('dqn', 'gym:CartPole-v1'): DQN_CARTPOLE_VECTORISED,
}

# troupe.agents.dqn.presets (benchmarks/dqn_catch.py): 1.0 for seeds 0, 1 and 2.
DQN_CATCH = Preset(
    hyperparameters=dict(to_json(dqn.presets.CATCH),
                         hidden_sizes=list(dqn.presets.CATCH_HIDDEN_SIZES)),
    episodes=500, source='troupe.agents.dqn.presets (benchmarks/dqn_catch.py)')

# benchmarks/nfq_gridworld.py: the greedy policy reaches the goal within 300 episodes.
NFQ_GRIDWORLD = Preset(hyperparameters=dict(hidden_sizes=[50, 50]),
                       env_kwargs=dict(observation_type='AGENT_GOAL_POS'),
                       episodes=300, source='benchmarks/nfq_gridworld.py')

# benchmarks/on_policy_cartpole.py runs the agents' defaults.
ON_POLICY_CARTPOLE_STEPS = {'a2c': 200_000, 'reinforce': 100_000, 'impala': 100_000}

# benchmarks/continuous_control.py (Polyak targets, Adam(1e-3)): Pendulum >= -200
# and cartpole/balance ~1000 within 20k steps. In the benchmark's form (its
# environment names, network `sizes` and D4PG `atoms`), so that it can import them.
CONTINUOUS_ENVIRONMENTS = {'pendulum': 'pendulum',
                           'cartpole_balance': 'dm_control:cartpole/balance'}
CONTINUOUS_COMMON = {
    'pendulum': dict(batch_size=256, samples_per_insert=256.0, min_replay_size=1000,
                     target_update_rate=0.005, target_update_period=1),
    'cartpole_balance': dict(batch_size=128, samples_per_insert=64.0,
                             min_replay_size=1000, target_update_rate=0.01,
                             target_update_period=1),
}
CONTINUOUS_CONFIGS = {
    ('pendulum', 'ddpg'): dict(sizes=((64, 64), (64, 64)), n_step=1, sigma=0.1),
    ('pendulum', 'd4pg'): dict(sizes=((64, 64), (64, 64)), n_step=3, sigma=0.3,
                               atoms=(-1000.0, 0.0, 51)),
    ('pendulum', 'td3'): dict(sizes=((64, 64), (64, 64)), n_step=3, sigma=0.1),
    ('pendulum', 'sac'): dict(sizes=((64, 64), (64, 64)), n_step=1),
    ('cartpole_balance', 'ddpg'): dict(sizes=((64, 64), (128, 128)), n_step=5,
                                       sigma=0.3),
    ('cartpole_balance', 'd4pg'): dict(sizes=((64, 64), (128, 128)), n_step=5,
                                       sigma=0.3, atoms=(0.0, 100.0, 51),
                                       updates_per_call=4),
    ('cartpole_balance', 'td3'): dict(sizes=((64, 64), (128, 128)), n_step=5,
                                      sigma=0.1),
}
CONTINUOUS_LEARNING_RATE = 1e-3
CONTINUOUS_STEPS = 20_000

# benchmarks/continuous_vectorised.py: the settings above acting on N copies
# (`num_envs`). The replay ratio in env steps is unchanged; one learner call
# does the updates of one batch step (8 copies: 4 updates of 128 on cartpole,
# 8 of 256 on Pendulum).
CONTINUOUS_VECTORISED = {
    ('cartpole_balance', 'd4pg'): dict(num_envs=8, updates_per_call=4),
    ('pendulum', 'sac'): dict(num_envs=8, updates_per_call=8),
}


def _continuous_preset(benchmark_env: str, agent: str) -> Preset:
    """The benchmark's (environment, agent) configuration as hyperparameters."""
    config = dict(CONTINUOUS_CONFIGS[(benchmark_env, agent)])
    (policy_sizes, critic_sizes) = config.pop('sizes')
    atoms = config.pop('atoms', None)
    values = dict(CONTINUOUS_COMMON[benchmark_env], **config)
    if agent == 'sac':
        values.pop('target_update_period')
        values['tau'] = values.pop('target_update_rate')
        values.update(learning_rate=CONTINUOUS_LEARNING_RATE,
                      policy_hidden_sizes=list(policy_sizes),
                      critic_hidden_sizes=list(critic_sizes))
    else:
        if agent == 'td3':
            values.pop('target_update_period')  # TD3's own default.
        values.update(policy_learning_rate=CONTINUOUS_LEARNING_RATE,
                      critic_learning_rate=CONTINUOUS_LEARNING_RATE,
                      policy_layer_sizes=list(policy_sizes),
                      critic_layer_sizes=list(critic_sizes))
    if atoms is not None:
        values.update(vmin=atoms[0], vmax=atoms[1], num_atoms=atoms[2])
    return Preset(hyperparameters=to_json(values), steps=CONTINUOUS_STEPS,
                  source='benchmarks/continuous_control.py')


def continuous_presets(agent: str) -> Dict[str, Preset]:
    return {CONTINUOUS_ENVIRONMENTS[env]: _continuous_preset(env, name)
            for env, name in CONTINUOUS_CONFIGS if name == agent}


# benchmarks/tabular_gridworld.py: optimistic TD learners take the 8-step shortest
# path on gridworld/obstacle within 1e5 steps; Monte Carlo anneals ε.
TABULAR_STEPS = 100_000
TABULAR_OPTIMISTIC = dict(epsilon=0.1, step_size=0.1, initial_q_values=10.0)
TABULAR_ANNEALED = dict(epsilon=[1.0, 0.05, TABULAR_STEPS // 2])
_GRIDWORLDS = ('gridworld/simple', 'gridworld/obstacle', 'gridworld/random_goal')


def tabular_presets(hyperparameters: Mapping[str, Any]) -> Dict[str, Preset]:
    preset = Preset(hyperparameters=dict(hyperparameters), steps=TABULAR_STEPS,
                    source='benchmarks/tabular_gridworld.py')
    return {name: preset for name in _GRIDWORLDS}
