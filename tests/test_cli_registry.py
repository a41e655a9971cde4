"""The agent registry behind `troupe train`: defaults, presets, value checks, spaces."""

import importlib
import inspect
import os
import sys

import pytest

import troupe
from troupe.agents import dqn, registry, sac, tabular
from troupe.agents.registry import builders, presets
from troupe.environments import ObservationType

BENCHMARKS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                          'benchmarks')


def _benchmark(name):
    if BENCHMARKS not in sys.path:
        sys.path.insert(0, BENCHMARKS)
    return importlib.import_module(name)


def test_every_agent_of_the_issue_is_registered():
    assert set(registry.names()) == {
        'dqn', 'nfq', 'reinforce', 'a2c', 'impala', 'ddpg', 'd4pg', 'td3', 'sac',
        'q_learning', 'sarsa', 'expected_sarsa', 'monte_carlo', 'q_learning_replay',
        'random'}


def test_defaults_come_from_the_agents_signatures():
    defaults = registry.AGENTS['dqn'].defaults
    signature = inspect.signature(dqn.DQN).parameters
    for name in ('batch_size', 'n_step', 'epsilon', 'learning_rate', 'updates_per_call'):
        assert defaults[name] == signature[name].default
    assert defaults['hidden_sizes'] == [64, 64]          # dqn.make_mlp_network's.
    assert registry.AGENTS['sac'].defaults['tau'] == inspect.signature(
        sac.SAC).parameters['tau'].default
    # Sarsa's __init__ forwards *args, **kwargs: its base names the arguments.
    assert registry.AGENTS['sarsa'].defaults == {
        'epsilon': 0.1, 'step_size': 0.1, 'discount': 1.0, 'initial_q_values': None}
    for name in ('logger', 'checkpoint', 'checkpoint_subpath', 'device', 'seed',
                 'num_envs'):
        assert all(name not in entry.parameters for entry in registry.AGENTS.values())


def test_resolve_applies_defaults_then_preset_then_overrides():
    entry = registry.AGENTS['dqn']
    values = entry.resolve('cartpole', {'batch_size': 16, 'epsilon': (1, 0.1, 500)})
    assert values['batch_size'] == 16                    # Override.
    assert values['n_step'] == 3                         # CartPole preset.
    assert values['prefetch_size'] == 4                  # Default.
    assert values['epsilon'] == [1.0, 0.1, 500]
    assert entry.resolve('catch', {})['epsilon'] == [1.0, 0.0, 1500]   # dqn.presets
    assert entry.resolve('deep_sea', {}) == entry.defaults
    assert entry.budget('cartpole') == (50_000, None)
    assert entry.budget('catch') == (None, 500)
    assert entry.budget('bandit') == (20_000, None)


@pytest.mark.parametrize('key, value, expected', [
    ('batch_size', 32.0, 32), ('learning_rate', 1, 1.0), ('max_gradient_norm', None, None),
    ('max_gradient_norm', 5, 5.0), ('hidden_sizes', (8, 8), [8, 8]), ('dueling', True, True),
    ('epsilon', 0.2, 0.2), ('epsilon', [1, 0, 10.0], [1.0, 0.0, 10]),
])
def test_check_value_converts_to_the_annotated_type(key, value, expected):
    annotation = registry.AGENTS['dqn'].parameters[key].annotation
    converted = registry.check_value('dqn', key, value, annotation)
    assert converted == expected and type(converted) is type(expected)


def test_built_schedules_are_the_agents_schedule_types():
    assert isinstance(builders.schedule([1.0, 0.1, 10], dqn.LinearEpsilon),
                      dqn.LinearEpsilon)
    assert isinstance(builders.schedule([1.0, 0.1, 10], tabular.LinearSchedule),
                      tabular.LinearSchedule)
    assert builders.schedule(0.3, dqn.LinearEpsilon) == 0.3


def test_presets_match_the_benchmarks():
    # The registry holds the settings in the benchmarks' form and the benchmarks
    # import them from it: one copy.
    dqn_cartpole = _benchmark('dqn_cartpole')
    assert presets.DQN_CARTPOLE_CONFIG == dqn_cartpole.CONFIG
    assert presets.DQN_CARTPOLE_HIDDEN == dqn_cartpole.HIDDEN
    control = _benchmark('continuous_control')
    assert presets.CONTINUOUS_CONFIGS == control.CONFIGS
    assert presets.CONTINUOUS_COMMON == control.COMMON
    assert presets.CONTINUOUS_LEARNING_RATE == control.LEARNING_RATE
    assert set(presets.CONTINUOUS_ENVIRONMENTS) == set(control.ENVIRONMENTS)
    tabular_benchmark = _benchmark('tabular_gridworld')
    assert presets.TABULAR_OPTIMISTIC == tabular_benchmark.OPTIMISTIC


def test_presets_are_the_benchmark_settings_as_hyperparameters():
    preset = registry.AGENTS['dqn'].presets['cartpole'].hyperparameters
    assert preset['epsilon'] == [1.0, 0.04, 8000]
    assert preset['hidden_sizes'] == [256, 256] and preset['updates_per_call'] == 8
    assert registry.AGENTS['q_learning'].resolve('gridworld/obstacle', {})[
        'initial_q_values'] == 10.0
    assert registry.AGENTS['monte_carlo'].resolve('gridworld/obstacle', {})[
        'epsilon'] == [1.0, 0.05, 50_000]


def test_continuous_presets_translate_the_benchmark_configs():
    pendulum_d4pg = registry.AGENTS['d4pg'].resolve('pendulum', {})
    assert (pendulum_d4pg['vmin'], pendulum_d4pg['vmax'], pendulum_d4pg['num_atoms']) == (
        -1000.0, 0.0, 51)
    assert pendulum_d4pg['policy_learning_rate'] == pendulum_d4pg[
        'critic_learning_rate'] == 1e-3
    assert pendulum_d4pg['target_update_rate'] == 0.005
    sac_values = registry.AGENTS['sac'].resolve('pendulum', {})
    assert (sac_values['tau'], sac_values['learning_rate']) == (0.005, 1e-3)
    assert sac_values['policy_hidden_sizes'] == [64, 64]
    td3_values = registry.AGENTS['td3'].resolve('dm_control:cartpole/balance', {})
    assert td3_values['critic_layer_sizes'] == [128, 128] and td3_values['n_step'] == 5
    assert td3_values['target_update_period'] == 1       # TD3's own default.
    cartpole_d4pg = registry.AGENTS['d4pg'].resolve('dm_control:cartpole/balance', {})
    assert (cartpole_d4pg['batch_size'], cartpole_d4pg['samples_per_insert'],
            cartpole_d4pg['updates_per_call']) == (128, 64.0, 4)
    assert set(registry.AGENTS['d4pg'].presets) == {'pendulum',
                                                    'dm_control:cartpole/balance'}


def test_action_spaces_decide_who_can_act():
    spec = troupe.make_environment_spec(registry.make_environment('catch', 0))
    assert registry.action_kind(spec) == 'discrete'
    registry.AGENTS['dqn'].check_can_act('catch', spec)
    registry.AGENTS['random'].check_can_act('catch', spec)
    with pytest.raises(ValueError, match="td3 cannot act in 'catch'"):
        registry.AGENTS['td3'].check_can_act('catch', spec)
    pendulum = troupe.make_environment_spec(registry.make_environment('pendulum', 0))
    assert registry.describe_actions(pendulum) == (
        'continuous actions (shape (1,) in [-2, 2])')


def test_grid_worlds_show_neural_agents_positions_and_tabular_agents_indices():
    assert registry.AGENTS['dqn'].environment_kwargs('gridworld/simple') == {
        'observation_type': 'AGENT_GOAL_POS'}
    assert registry.AGENTS['q_learning'].environment_kwargs('gridworld/simple') == {}
    grid = registry.make_environment('gridworld/simple', 0,
                                     {'observation_type': 'agent_onehot'})
    assert grid.observation_spec().shape == (9, 10)
    with pytest.raises(ValueError, match="Unknown observation_type 'nope'"):
        registry.make_environment('gridworld/simple', 0, {'observation_type': 'nope'})
    assert ObservationType.AGENT_GOAL_POS.name == 'AGENT_GOAL_POS'


def test_build_rejects_mismatched_hyperparameters():
    spec = troupe.make_environment_spec(registry.make_environment('gridworld/simple', 0))
    with pytest.raises(ValueError, match=r"missing \['discount'\]"):
        values = registry.AGENTS['q_learning'].defaults
        del values['discount']
        registry.AGENTS['q_learning'].build(spec, values)


def test_list_shows_agents_environments_and_action_kinds(capsys):
    from troupe import cli
    assert cli.main(['list']) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line for line in out.splitlines() if line.startswith('  ')}
    assert 'discrete' in rows['dqn'] and 'cartpole' in rows['dqn']
    assert 'continuous' in rows['sac'] and 'pendulum' in rows['sac']
    assert 'discrete (state index)' in rows['q_learning']
    assert 'continuous actions (shape (1,) in [-2, 2])' in rows['pendulum']
    assert rows['pendulum'].endswith('ddpg, d4pg, td3, sac, random')
    assert 'discrete actions (3)' in rows['catch']
    assert 'one action per agent (multi-agent)' in rows['cooperative_navigation']
    assert 'q_learning' in rows['gridworld/simple'] and 'q_learning' not in rows['catch']
    assert 'dm_control:<domain>/<task>' in rows


def test_list_agent_shows_its_hyperparameters_and_presets(capsys):
    from troupe import cli
    assert cli.main(['list', 'dqn']) == 0
    out = capsys.readouterr().out
    assert '  batch_size = 256' in out and '  hidden_sizes = [64, 64]' in out
    assert 'Preset for --env cartpole (50,000 steps; benchmarks/dqn_cartpole.py):' in out
    assert cli.main(['list', 'nope']) == 2
