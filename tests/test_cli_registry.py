"""The agent registry behind `troupe train`: builders, configs, presets, spaces."""

import dataclasses
import importlib
import os
import sys

import pytest

import troupe
from troupe import errors
from troupe.agents import configs, d4pg, dqn, registry, sac, td3
from troupe.agents.registry import presets
from troupe.environments import ObservationType

BENCHMARKS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                          'benchmarks')


def _benchmark(name):
    if BENCHMARKS not in sys.path:
        sys.path.insert(0, BENCHMARKS)
    return importlib.import_module(name)


def test_every_agent_is_registered_and_every_builder_runs_distributed():
    assert set(registry.names()) == {
        'dqn', 'bootstrapped_dqn', 'nfq', 'reinforce', 'a2c', 'impala', 'ddpg',
        'd4pg', 'td3', 'sac', 'maddpg', 'q_learning', 'sarsa', 'expected_sarsa',
        'monte_carlo', 'q_learning_replay', 'random'}
    with_builders = {name for name, entry in registry.AGENTS.items()
                     if entry.builder_class is not None}
    assert with_builders == {'dqn', 'bootstrapped_dqn', 'nfq', 'reinforce', 'a2c',
                             'impala', 'ddpg', 'd4pg', 'td3', 'sac', 'maddpg'}
    assert all(registry.AGENTS[name].distributed for name in with_builders)
    for name in with_builders:
        entry = registry.AGENTS[name]
        assert entry.builder_class.name == name
        assert entry.config_class is entry.builder_class.config_class


def test_hyperparameters_are_the_config_fields():
    entry = registry.AGENTS['dqn']
    fields = {f.name for f in dataclasses.fields(dqn.DQNConfig)}
    assert set(entry.parameters) == fields - {'seed'}     # --seed sets the seed.
    assert entry.defaults() == dqn.DQNConfig()
    # One name per idea across agents.
    for name in ('sac', 'ddpg', 'd4pg', 'td3'):
        parameters = registry.AGENTS[name].parameters
        assert 'target_update_rate' in parameters, name
        assert {'policy_hidden_sizes', 'critic_hidden_sizes'} <= set(parameters), name
        assert 'tau' not in parameters and 'policy_layer_sizes' not in parameters
    for entry in registry.AGENTS.values():
        assert 'seed' in {f.name for f in dataclasses.fields(entry.config_class)}
        for name in ('logger', 'checkpoint', 'device', 'num_envs', 'network'):
            assert name not in entry.parameters, (entry.name, name)


def test_resolve_applies_defaults_then_preset_then_overrides_then_seed():
    entry = registry.AGENTS['dqn']
    config = entry.resolve('cartpole', {'batch_size': 16, 'epsilon': [1, 0.1, 500]},
                           seed=3)
    assert config.batch_size == 16                       # Override.
    assert config.n_step == 3                            # CartPole preset.
    assert config.prefetch_size == 4                     # Default.
    assert config.epsilon == dqn.LinearEpsilon(1.0, 0.1, 500)
    assert config.seed == 3
    assert entry.resolve('catch', {}).epsilon == dqn.LinearEpsilon(1.0, 0.0, 1500)
    assert entry.resolve('deep_sea', {}) == entry.defaults()
    assert entry.resolve('cartpole', {}, num_envs=8) == dqn.presets.CARTPOLE_VECTORISED
    assert entry.budget('cartpole') == (50_000, None)
    assert entry.budget('cartpole', num_envs=8) == (20_000, None)
    assert entry.budget('catch') == (None, 500)
    assert entry.budget('bandit') == (20_000, None)


@pytest.mark.parametrize('overrides, message', [
    ({'batchsize': 16}, r"dqn has no hyperparameter 'batchsize'. Valid keys: "),
    ({'batch_size': 0}, r'DQNConfig.batch_size must be an integer >= 1, got 0.'),
    ({'batch_size': 'big'}, r"DQNConfig.batch_size must be an integer, got 'big'"),
    ({'hidden_sizes': 64}, r'DQNConfig.hidden_sizes must be a list of integers'),
])
def test_bad_overrides_name_the_field_and_what_was_expected(overrides, message):
    with pytest.raises(errors.InvalidInput, match=message):
        registry.AGENTS['dqn'].resolve('cartpole', overrides)


def test_presets_are_config_instances_the_benchmarks_use():
    assert isinstance(presets.DQN_CARTPOLE.config, dqn.DQNConfig)
    assert presets.DQN_CARTPOLE.config.hidden_sizes == (256, 256)
    assert presets.DQN_CARTPOLE.config.updates_per_call == 8
    assert _benchmark('dqn_cartpole').CONFIG is dqn.presets.CARTPOLE
    control = _benchmark('continuous_control')
    assert control.CONFIGS is presets.CONTINUOUS_CONFIGS
    assert _benchmark('tabular_gridworld').OPTIMISTIC == presets.TABULAR_OPTIMISTIC
    assert registry.AGENTS['q_learning'].resolve(
        'gridworld/obstacle', {}).initial_q_values == 10.0
    assert registry.AGENTS['monte_carlo'].resolve(
        'gridworld/obstacle', {}).epsilon == dqn.LinearEpsilon(1.0, 0.05, 50_000)


def test_continuous_presets():
    pendulum_d4pg = registry.AGENTS['d4pg'].resolve('pendulum', {})
    assert isinstance(pendulum_d4pg, d4pg.D4PGConfig)
    assert (pendulum_d4pg.vmin, pendulum_d4pg.vmax, pendulum_d4pg.num_atoms) == (
        -1000.0, 0.0, 51)
    assert pendulum_d4pg.policy_learning_rate == pendulum_d4pg.critic_learning_rate == 1e-3
    assert pendulum_d4pg.target_update_rate == 0.005
    sac_config = registry.AGENTS['sac'].resolve('pendulum', {})
    assert isinstance(sac_config, sac.SACConfig)
    assert (sac_config.target_update_rate, sac_config.learning_rate) == (0.005, 1e-3)
    assert sac_config.policy_hidden_sizes == (64, 64)
    td3_config = registry.AGENTS['td3'].resolve('dm_control:cartpole/balance', {})
    assert isinstance(td3_config, td3.TD3Config)
    assert td3_config.critic_hidden_sizes == (128, 128) and td3_config.n_step == 5
    cartpole_d4pg = registry.AGENTS['d4pg'].resolve('dm_control:cartpole/balance', {})
    assert (cartpole_d4pg.batch_size, cartpole_d4pg.samples_per_insert,
            cartpole_d4pg.updates_per_call) == (128, 64.0, 4)
    assert set(registry.AGENTS['d4pg'].presets) == {'pendulum',
                                                    'dm_control:cartpole/balance'}


def test_configs_round_trip_through_json():
    for entry in registry.AGENTS.values():
        for preset in list(entry.presets.values()) + [presets.Preset()]:
            config = preset.config or entry.defaults()
            assert entry.config_from_json(configs.to_json(config.to_json())) == config


def test_action_spaces_decide_who_can_act():
    spec = troupe.make_environment_spec(registry.make_environment('catch', 0))
    assert registry.action_kind(spec) == 'discrete'
    registry.AGENTS['dqn'].check_can_act('catch', spec)
    registry.AGENTS['random'].check_can_act('catch', spec)
    with pytest.raises(errors.InvalidInput,
                       match=r"td3 cannot act in 'catch': it needs continuous actions, "
                             r"and 'catch' has discrete actions \(3\). Agents for it: "
                             r'dqn, bootstrapped_dqn, nfq, reinforce, a2c, impala, random.'):
        registry.AGENTS['td3'].check_can_act('catch', spec)
    pendulum = troupe.make_environment_spec(registry.make_environment('pendulum', 0))
    assert registry.describe_actions(pendulum) == (
        'continuous actions (shape (1,) in [-2, 2])')
    navigation = troupe.make_environment_spec(
        registry.make_environment('cooperative_navigation', 0))
    registry.AGENTS['maddpg'].check_can_act('cooperative_navigation', navigation)
    with pytest.raises(errors.InvalidInput, match=r'Agents for it: maddpg\.'):
        registry.AGENTS['ddpg'].check_can_act('cooperative_navigation', navigation)


def test_grid_worlds_show_neural_agents_positions_and_tabular_agents_indices():
    assert registry.AGENTS['dqn'].environment_kwargs('gridworld/simple') == {
        'observation_type': 'AGENT_GOAL_POS'}
    assert registry.AGENTS['q_learning'].environment_kwargs('gridworld/simple') == {}
    grid = registry.make_environment('gridworld/simple', 0,
                                     {'observation_type': 'agent_onehot'})
    assert grid.observation_spec().shape == (9, 10)
    with pytest.raises(errors.InvalidInput, match="Unknown observation_type 'nope'"):
        registry.make_environment('gridworld/simple', 0, {'observation_type': 'nope'})
    assert ObservationType.AGENT_GOAL_POS.name == 'AGENT_GOAL_POS'


def test_a_latency_keyword_slows_every_step():
    import time
    environment = registry.make_environment('catch', 0, {'step_latency_seconds': 0.02})
    environment.reset()
    start = time.perf_counter()
    for _ in range(5):
        environment.step(1)
    assert time.perf_counter() - start >= 5 * 0.02


def test_list_shows_agents_environments_and_action_kinds(capsys):
    from troupe import cli
    assert cli.main(['list']) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line for line in out.splitlines() if line.startswith('  ')}
    assert 'discrete' in rows['dqn'] and 'cartpole' in rows['dqn']
    assert 'continuous' in rows['sac'] and 'pendulum' in rows['sac']
    assert 'multi-agent' in rows['maddpg']
    assert 'discrete (state index)' in rows['q_learning']
    assert 'continuous actions (shape (1,) in [-2, 2])' in rows['pendulum']
    assert rows['pendulum'].endswith('ddpg, d4pg, td3, sac, random')
    assert 'discrete actions (3)' in rows['catch']
    assert rows['cooperative_navigation'].endswith('maddpg')
    assert 'q_learning' in rows['gridworld/simple'] and 'q_learning' not in rows['catch']
    assert 'dm_control:<domain>/<task>' in rows


def test_list_agent_shows_each_field_with_its_doc_and_default(capsys):
    from troupe import cli
    assert cli.main(['list', 'dqn']) == 0
    out = capsys.readouterr().out
    assert 'the fields of DQNConfig' in out
    fields = out.split('the fields of DQNConfig')[1].split('Default budget')[0]
    lines = {line.split()[0]: line for line in fields.splitlines()
             if line.startswith('  ')}
    assert lines['batch_size'].split()[1] == '256'
    assert 'transitions per update' in lines['batch_size']
    assert '[64, 64]' in lines['hidden_sizes']
    assert 'Preset for --env cartpole (50,000 steps; benchmarks/dqn_cartpole.py):' in out
    assert '  hidden_sizes = [256, 256]' in out
    assert cli.main(['list', 'nope']) == 2

