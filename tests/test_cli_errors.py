"""Bad input to `troupe train / evaluate / plot`: one line on stderr, exit status 2."""

import json
import os
import shutil

import pytest

from troupe import cli


def _error(capsys, *argv) -> str:
    assert cli.main(list(argv)) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith('troupe: error: ')
    assert 'Traceback' not in captured.err
    return lines[0][len('troupe: error: '):]


def test_unknown_agent_lists_the_known_ones(capsys):
    message = _error(capsys, 'train', 'dqm', '--env', 'catch')
    assert message.startswith("Unknown agent 'dqm'. Known agents: dqn, bootstrapped_dqn, nfq,")
    assert 'sac' in message and 'q_learning' in message and 'random' in message


def test_unknown_environment_lists_the_known_ones(capsys, tmp_path):
    message = _error(capsys, 'train', 'dqn', '--env', 'cartpol', '--logdir',
                     str(tmp_path / 'run'))
    assert message.startswith("Unknown environment 'cartpol'. Known names:")
    assert 'cartpole' in message and 'gym:<gymnasium id>' in message
    assert not os.path.exists(tmp_path / 'run')     # Nothing written on bad input.


def test_environment_arguments_it_refuses(capsys):
    message = _error(capsys, 'train', 'random', '--env', 'catch', '--env-config',
                     'rows=5', 'colour=red')
    assert message.startswith("Cannot make environment 'catch': TypeError: ")
    assert "'colour'" in message


def test_unknown_gymnasium_id(capsys):
    pytest.importorskip('gymnasium')
    message = _error(capsys, 'train', 'dqn', '--env', 'gym:NoSuchEnv-v0')
    assert message.startswith("Cannot make the gymnasium environment 'NoSuchEnv-v0': "
                              'NameNotFound')


def test_unknown_config_key_lists_the_valid_keys(capsys):
    message = _error(capsys, 'train', 'dqn', '--env', 'catch', '--config',
                     'batch_size=32', 'learning_rat=1e-3')
    assert message.startswith("dqn has no hyperparameter 'learning_rat'. Valid keys: "
                              'on_non_finite, discount, batch_size, ')
    assert 'learning_rate' in message and 'hidden_sizes' in message


@pytest.mark.parametrize('assignment, expected', [
    ('batch_size=abc', "batch_size must be an integer, got 'abc' (str)."),
    ('batch_size=1.5', 'batch_size must be an integer, got 1.5 (float).'),
    ('jit_compile=1', 'jit_compile must be true or false, got 1 (int).'),
    ('hidden_sizes=64', 'hidden_sizes must be a list of integers, got 64 (int).'),
    ('epsilon=[1,2]', 'epsilon must be a number or a schedule [start, end, steps]'),
    ('max_gradient_norm=high', 'max_gradient_norm must be None or a number'),
])
def test_a_value_of_the_wrong_type_names_what_was_expected(capsys, assignment,
                                                            expected):
    message = _error(capsys, 'train', 'dqn', '--env', 'catch', '--config', assignment)
    # The config's own validation: the same message as in Python.
    assert message.startswith('DQNConfig.' + expected)


def test_config_items_must_be_key_value_pairs(capsys):
    message = _error(capsys, 'train', 'dqn', '--env', 'catch', '--config', 'batch_size')
    assert message == "--config expects KEY=VALUE, got 'batch_size'."


def test_out_of_range_value_is_the_agents_own_message(capsys, tmp_path):
    message = _error(capsys, 'train', 'dqn', '--env', 'catch', '--logdir',
                     str(tmp_path / 'run'), '--config', 'discount=1.5')
    assert message == 'DQNConfig.discount must be in [0, 1], got 1.5.'
    assert not os.path.exists(tmp_path / 'run')


@pytest.mark.parametrize('agent, env, needs, has', [
    ('dqn', 'pendulum', 'discrete actions', 'continuous actions (shape (1,) in [-2, 2])'),
    ('ddpg', 'catch', 'continuous actions', 'discrete actions (3)'),
    ('sac', 'cartpole', 'continuous actions', 'discrete actions (2)'),
])
def test_an_agent_that_cannot_act_in_the_action_space(capsys, agent, env, needs, has):
    message = _error(capsys, 'train', agent, '--env', env)
    assert message.startswith(f"{agent} cannot act in '{env}': it needs {needs}, "
                              f"and '{env}' has {has}. Agents for it: ")


def test_a_tabular_agent_needs_state_index_observations(capsys):
    message = _error(capsys, 'train', 'sarsa', '--env', 'catch')
    assert message.startswith("sarsa cannot act in 'catch': it needs state-index "
                              'observations')


def test_multi_agent_environments_are_refused(capsys):
    message = _error(capsys, 'train', 'random', '--env', 'cooperative_navigation')
    assert 'multi-agent environment' in message


def test_evaluate_needs_a_run_directory(capsys, tmp_path):
    assert _error(capsys, 'evaluate', str(tmp_path / 'missing')) == (
        f"No run directory '{tmp_path / 'missing'}'.")
    assert 'has no config.json' in _error(capsys, 'evaluate', str(tmp_path))


def test_evaluate_needs_a_checkpoint(capsys, tmp_path):
    logdir = str(tmp_path / 'run')
    assert cli.main(['train', 'q_learning', '--env', 'gridworld/simple', '--steps',
                     '50', '--eval-episodes', '0', '--no-plot', '--logdir',
                     logdir]) == 0
    capsys.readouterr()
    shutil.rmtree(os.path.join(logdir, 'checkpoints'))
    message = _error(capsys, 'evaluate', logdir)
    assert message.startswith(f"'{logdir}' holds no checkpoint")


def test_damaged_config_is_reported(capsys, tmp_path):
    (tmp_path / 'config.json').write_text('{"agent": "dqn"')
    assert 'is not valid JSON' in _error(capsys, 'evaluate', str(tmp_path))
    (tmp_path / 'config.json').write_text(json.dumps({'agent': 'dqn'}))
    assert 'lacks env, seed, hyperparameters' in _error(capsys, 'evaluate', str(tmp_path))


def test_train_refuses_to_overwrite_a_run(capsys, tmp_path):
    (tmp_path / 'config.json').write_text('{}')
    message = _error(capsys, 'train', 'random', '--env', 'catch', '--logdir',
                     str(tmp_path))
    assert message == f"'{tmp_path}' already holds a run; choose another --logdir."


def test_evaluate_rejects_an_unknown_video_format(capsys, tmp_path):
    message = _error(capsys, 'evaluate', str(tmp_path), '--video', 'episode.avi')
    assert message.startswith("--video 'episode.avi': unknown format 'avi'")


def test_plot_needs_runs(capsys, tmp_path):
    assert _error(capsys, 'plot', str(tmp_path)) == (
        f"'{tmp_path}' holds no run: no config.json at or below it.")


def test_debug_shows_the_traceback():
    with pytest.raises(ValueError, match="Unknown agent 'nope'"):
        cli.main(['--debug', 'train', 'nope', '--env', 'catch'])


def test_usage_errors_exit_through_argparse(capsys):
    for argv in (['train', 'dqn'],                                  # No --env.
                 ['train', 'dqn', '--env', 'catch', '--steps', '5', '--episodes', '5'],
                 ['train', 'dqn', '--env', 'catch', '--steps', '0'],
                 ['evaluate', 'x', '--episodes', '0'],
                 ['plot', 'x', '-o', 'curve.jpg']):
        with pytest.raises(SystemExit) as exit_info:
            cli.main(argv)
        assert exit_info.value.code == 2
    capsys.readouterr()
