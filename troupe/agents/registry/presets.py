"""Settings the benchmarks found good, per agent and environment: config instances.

Each `Preset` holds the agent's config (its own dataclass, so there is no second
vocabulary to translate), the environment's keyword arguments and a default
budget, and names the benchmark that measured it (`source`). The benchmark
scripts import these presets, so the command line and the benchmarks run the
same settings.
"""

import dataclasses
from typing import Any, Dict, Mapping, Optional

from troupe.agents import d4pg, ddpg, dqn, sac, td3
from troupe.agents import configs



@dataclasses.dataclass(frozen=True)
class Preset:
    """Settings found good for one agent on one environment.

    Attributes:
      config: the agent's config (None: the config class's defaults).
      env_kwargs: keyword arguments of `environments.make`.
      steps: the default training budget in environment steps, or
      episodes: the default budget in episodes.
      source: where the settings were measured.
    """
    config: Optional[configs.AgentConfig] = None
    env_kwargs: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    steps: Optional[int] = None
    episodes: Optional[int] = None
    source: str = ''


DQN_CARTPOLE = Preset(dqn.presets.CARTPOLE, steps=50_000,
                      source='benchmarks/dqn_cartpole.py')
DQN_CARTPOLE_VECTORISED = Preset(dqn.presets.CARTPOLE_VECTORISED, steps=20_000,
                                 source='benchmarks/dqn_cartpole_vectorised.py')
DQN_CATCH = Preset(dqn.presets.CATCH, episodes=500,
                   source='troupe.agents.dqn.presets (benchmarks/dqn_catch.py)')

# Bootstrapped DQN's defaults (bsuite's boot_dqn) on DeepSea (size 10 unless
# --env-kwargs says otherwise), for a budget of episodes as bsuite counts them.
BOOTSTRAPPED_DQN_DEEP_SEA = Preset(episodes=500,
                                   source='benchmarks/deep_sea_exploration.py')

# `troupe train AGENT --env NAME --num-envs N` uses these instead of the
# environment's own preset, whatever N.
NUM_ENVS_PRESETS = {
    ('dqn', 'cartpole'): DQN_CARTPOLE_VECTORISED,
    ('dqn', 'gym:CartPole-v1'): DQN_CARTPOLE_VECTORISED,
}


def nfq_gridworld() -> Preset:
    """benchmarks/nfq_gridworld.py: the greedy policy reaches the goal within 300
    episodes."""
    from troupe.agents import nfq
    return Preset(nfq.NFQConfig(hidden_sizes=(50, 50)),
                  env_kwargs=dict(observation_type='AGENT_GOAL_POS'), episodes=300,
                  source='benchmarks/nfq_gridworld.py')


# benchmarks/on_policy_cartpole.py runs the agents' defaults.
ON_POLICY_CARTPOLE_STEPS = {'a2c': 200_000, 'reinforce': 100_000, 'impala': 100_000}

# benchmarks/continuous_control.py (Polyak targets, Adam(1e-3)): Pendulum >= -200
# and cartpole/balance ~1000 within 20k steps.
CONTINUOUS_ENVIRONMENTS = {'pendulum': 'pendulum',
                           'cartpole_balance': 'dm_control:cartpole/balance'}
CONTINUOUS_STEPS = 20_000
_LR = 1e-3
_PENDULUM = dict(batch_size=256, samples_per_insert=256.0, min_replay_size=1000,
                 target_update_rate=0.005)
_BALANCE = dict(batch_size=128, samples_per_insert=64.0, min_replay_size=1000,
                target_update_rate=0.01)
_DETERMINISTIC = dict(policy_learning_rate=_LR, critic_learning_rate=_LR)
_SMALL = dict(policy_hidden_sizes=(64, 64), critic_hidden_sizes=(64, 64))
_BALANCE_SIZES = dict(policy_hidden_sizes=(64, 64), critic_hidden_sizes=(128, 128))

# (benchmark environment, agent) -> config.
CONTINUOUS_CONFIGS: Dict[tuple, configs.AgentConfig] = {
    ('pendulum', 'ddpg'): ddpg.DDPGConfig(
        **_PENDULUM, **_DETERMINISTIC, **_SMALL, target_update_period=1, n_step=1,
        sigma=0.1),
    ('pendulum', 'd4pg'): d4pg.D4PGConfig(
        **_PENDULUM, **_DETERMINISTIC, **_SMALL, target_update_period=1, n_step=3,
        sigma=0.3, vmin=-1000.0, vmax=0.0, num_atoms=51),
    ('pendulum', 'td3'): td3.TD3Config(
        **_PENDULUM, **_DETERMINISTIC, **_SMALL, n_step=3, sigma=0.1),
    ('pendulum', 'sac'): sac.SACConfig(**_PENDULUM, **_SMALL, learning_rate=_LR,
                                       n_step=1),
    ('cartpole_balance', 'ddpg'): ddpg.DDPGConfig(
        **_BALANCE, **_DETERMINISTIC, **_BALANCE_SIZES, target_update_period=1,
        n_step=5, sigma=0.3),
    ('cartpole_balance', 'd4pg'): d4pg.D4PGConfig(
        **_BALANCE, **_DETERMINISTIC, **_BALANCE_SIZES, target_update_period=1,
        n_step=5, sigma=0.3, vmin=0.0, vmax=100.0, num_atoms=51, updates_per_call=4),
    ('cartpole_balance', 'td3'): td3.TD3Config(
        **_BALANCE, **_DETERMINISTIC, **_BALANCE_SIZES, n_step=5, sigma=0.1),
}

# benchmarks/continuous_vectorised.py: the settings above acting on N copies
# (`num_envs`). The replay ratio in env steps is unchanged; one learner call
# does the updates of one batch step (8 copies: 4 updates of 128 on cartpole,
# 8 of 256 on Pendulum).
CONTINUOUS_VECTORISED = {
    ('cartpole_balance', 'd4pg'): dict(num_envs=8, updates_per_call=4),
    ('pendulum', 'sac'): dict(num_envs=8, updates_per_call=8),
}


def continuous_presets(agent: str) -> Dict[str, Preset]:
    return {CONTINUOUS_ENVIRONMENTS[env]: Preset(
                config, steps=CONTINUOUS_STEPS, source='benchmarks/continuous_control.py')
            for (env, name), config in CONTINUOUS_CONFIGS.items() if name == agent}


# benchmarks/tabular_gridworld.py: optimistic TD learners take the 8-step shortest
# path on gridworld/obstacle within 1e5 steps; Monte Carlo anneals ε.
TABULAR_STEPS = 100_000
TABULAR_OPTIMISTIC = dict(epsilon=0.1, step_size=0.1, initial_q_values=10.0)
TABULAR_ANNEALED = dict(epsilon=(1.0, 0.05, TABULAR_STEPS // 2))
_GRIDWORLDS = ('gridworld/simple', 'gridworld/obstacle', 'gridworld/random_goal')


def tabular_presets(config: configs.AgentConfig) -> Dict[str, Preset]:
    preset = Preset(config, steps=TABULAR_STEPS, source='benchmarks/tabular_gridworld.py')
    return {name: preset for name in _GRIDWORLDS}


