"""`troupe train AGENT --env NAME --num-envs N`: short real trainings on a
BatchedEnvironment of N seeded copies, with the schedule, progress line, logs,
evaluation and `troupe evaluate` of a run; agents that cannot act on a batch
are refused by name."""

import json
import os
import re

import pytest

from tests.run_helpers import read_csv, tensorboard_tags, train
from troupe import cli
from troupe.agents import registry
from troupe.agents.agent import num_learner_steps_between
from troupe.agents.registry import presets
from troupe.cli import rundir

# Small settings that make every learner update within a few hundred steps:
# one update of 32 per env step from the 100th env step on.
QUICK_DQN = ['min_replay_size=100', 'batch_size=32', 'samples_per_insert=32.0',
             'updates_per_call=1', 'hidden_sizes=[32,32]']
QUICK_ACTOR_CRITIC = ['min_replay_size=100', 'batch_size=32',
                      'samples_per_insert=32.0', 'jit_compile=false']


def _json(logdir, name):
    with open(os.path.join(logdir, name)) as file:
        return json.load(file)


def _evaluate(capsys, logdir, episodes):
    assert cli.main(['evaluate', logdir, '--episodes', str(episodes)]) == 0
    out = capsys.readouterr().out
    mean, std = re.search(r'return (-?[\d.]+) ± ([\d.]+)', out).groups()
    return float(mean), float(std)


def test_dqn_trains_on_four_copies_of_cartpole(tmp_path, capsys):
    logdir, out = train(tmp_path, capsys, 'dqn', '--env', 'cartpole', '--steps', '600',
                         '--num-envs', '4', '--eval-episodes', '2', '--config',
                         *QUICK_DQN)
    config, results = _json(logdir, 'config.json'), _json(logdir, 'results.json')
    assert config['num_envs'] == results['num_envs'] == 4
    # num_envs is a setting of the run, not one of the agent's hyperparameters.
    # The N-copy CartPole preset replaces the single-environment one, and
    # --config overrides it.
    assert 'num_envs' not in config['hyperparameters']
    assert config['preset'] == 'benchmarks/dqn_cartpole_vectorised.py'
    assert config['hyperparameters'] == presets.DQN_CARTPOLE_VECTORISED.config.replace(
        min_replay_size=100, batch_size=32, samples_per_insert=32.0,
        updates_per_call=1, hidden_sizes=[32, 32], seed=0).to_json()
    assert config['hyperparameters']['epsilon'] == [1.0, 0.04, 4000]
    assert registry.AGENTS['dqn'].resolve('cartpole', {}).epsilon.to_list() == [
        1.0, 0.04, 8000]
    assert 'seed 0 on 4 copies (seeds 0-3); preset from ' \
           'benchmarks/dqn_cartpole_vectorised.py.' in out

    # The budget counts env steps of all copies; a batch step adds up to 4.
    steps = results['env_steps']
    assert 600 <= steps < 604
    # The schedule counts them too: one update per env step from the 100th.
    assert results['learner_updates'] == num_learner_steps_between(0, steps, 100, 1)
    assert results['learner_updates'] == steps - 99

    # Every finished episode of every copy is logged with its copy; episodes
    # in flight at the end are not, so their lengths add up to at most the
    # batch steps run. A copy's reset after an episode is a batch step but no
    # env step, so the batch steps are (env steps + resets) / 4, and a copy that
    # reset less often than the others ran more than a quarter of the env steps.
    episodes = read_csv(rundir.csv_path(logdir, 'actor'))
    assert len(episodes) == results['episodes'] >= 8
    assert {int(row['env_index']) for row in episodes} == {0, 1, 2, 3}
    counts = [int(row['steps']) for row in episodes]
    assert counts == sorted(counts) and counts[-1] <= steps
    for index in range(4):
        lengths = [int(row['episode_length']) for row in episodes
                   if int(row['env_index']) == index]
        assert 0 < sum(lengths) <= -(-(steps + len(episodes)) // 4)
    assert all(float(row['batch_steps_per_second']) > 0 for row in episodes)
    tags = tensorboard_tags(rundir.tensorboard_dir(logdir, 'actor'))
    assert {'actor/episode_return', 'actor/batch_steps_per_second'} <= tags

    # The progress line counted every env step of every copy.
    assert re.search(rf'100% \| steps {steps:,}/600 \| episodes '
                     rf'{results["episodes"]:,} .*\| updates '
                     rf'{results["learner_updates"]:,}', out)
    assert 'Evaluation (greedy policy, 2 episodes, seed 10000): return' in out

    # Evaluation runs on one environment; evaluate rebuilds the agent from the
    # run's config and gets the same greedy returns.
    final = results['final_evaluation']
    assert final['env_steps'] == steps
    assert _evaluate(capsys, logdir, 2) == (round(final['mean_return'], 2),
                                            round(final['std_return'], 2))


# DDPG and D4PG learn (one update per env step from the 100th); TD3 and SAC,
# whose first update takes several seconds to trace, stop before it (their
# batched learning is tested with the agents).
@pytest.mark.parametrize('agent, argv, updates', [
    ('ddpg', ['policy_hidden_sizes=[16]', 'critic_hidden_sizes=[16]'], 101),
    ('d4pg', ['policy_hidden_sizes=[16]', 'critic_hidden_sizes=[16]', 'num_atoms=11'],
     101),
    ('td3', ['policy_hidden_sizes=[16]', 'critic_hidden_sizes=[16]',
             'min_replay_size=1000'], 0),
    ('sac', ['policy_hidden_sizes=[16]', 'critic_hidden_sizes=[16]',
             'min_replay_size=1000'], 0),
])
def test_actor_critics_train_on_four_copies_of_pendulum(tmp_path, capsys, agent, argv,
                                                        updates):
    logdir, out = train(tmp_path, capsys, agent, '--env', 'pendulum', '--steps', '200',
                         '--num-envs', '4', '--eval-episodes', '1', '--no-plot',
                         '--config', *QUICK_ACTOR_CRITIC, *argv)
    results = _json(logdir, 'results.json')
    # Pendulum episodes last 200 steps: 50 batch steps, no episode finished.
    assert results['env_steps'] == 200 and results['episodes'] == 0
    assert results['learner_updates'] == updates
    assert 'on 4 copies (seeds 0-3)' in out
    final = results['final_evaluation']
    assert -2000 < final['mean_return'] <= 0
    assert _evaluate(capsys, logdir, 1) == (round(final['mean_return'], 2),
                                            round(final['std_return'], 2))


def test_random_agent_takes_num_envs_and_an_episode_budget(tmp_path, capsys):
    logdir, _ = train(tmp_path, capsys, 'random', '--env', 'catch', '--episodes', '10',
                       '--num-envs', '4', '--eval-every', '40', '--eval-episodes',
                       '1', '--no-plot')
    results = _json(logdir, 'results.json')
    # Catch episodes last 9 steps, so the 4 copies finish together: batch steps
    # 9, 19 and 29 end 4 episodes each (a copy's reset takes a batch step of
    # its own), and the budget of 10 episodes is crossed at the 29th.
    assert results['episodes'] == 12 and results['env_steps'] == 3 * 36
    rows = read_csv(rundir.csv_path(logdir, 'evaluator'))
    # One evaluation after the episode that crossed 40 steps, then the final one.
    assert [int(row['env_steps']) for row in rows] == [72, 108]
    episodes = read_csv(rundir.csv_path(logdir, 'actor'))
    assert [int(row['env_index']) for row in episodes] == [0, 1, 2, 3] * 3
    assert {int(row['episode_length']) for row in episodes} == {9}


def test_the_n_copy_preset_sets_the_default_budget():
    # Without --steps/--episodes: the N-copy preset's 20,000 env steps instead
    # of the single-environment preset's 50,000.
    from troupe.cli import train
    args = cli.build_parser().parse_args(['train', 'dqn', '--env', 'cartpole',
                                          '--num-envs', '2'])
    entry = registry.get('dqn')
    assert presets.NUM_ENVS_PRESETS[('dqn', 'cartpole')] is presets.DQN_CARTPOLE_VECTORISED
    assert train._resolve_budget(args, entry, num_envs=2) == {
        'steps': 20_000, 'episodes': None}
    assert train._resolve_budget(args, entry) == {'steps': 50_000, 'episodes': None}
    args.steps = 300
    assert train._resolve_budget(args, entry, num_envs=2) == {
        'steps': 300, 'episodes': None}


def test_agents_that_cannot_act_on_a_batch_are_refused(tmp_path, capsys):
    logdir = str(tmp_path / 'a2c')
    assert cli.main(['train', 'a2c', '--env', 'cartpole', '--num-envs', '4',
                     '--logdir', logdir]) == 2
    error = capsys.readouterr().err
    assert error.strip() == (
        'troupe: error: a2c cannot act on a batch of environments (--num-envs 4): '
        'it acts on one environment at a time. Agents that take --num-envs: dqn, '
        'nfq, ddpg, d4pg, td3, sac, random.')
    assert not os.path.exists(logdir)
    with pytest.raises(SystemExit) as exit_info:
        cli.main(['train', 'dqn', '--env', 'cartpole', '--num-envs', '0'])
    assert exit_info.value.code == 2
    assert '--num-envs must be >= 1, got 0' in capsys.readouterr().err


def test_the_agents_listed_for_num_envs_take_it():
    batched = [name for name, entry in registry.AGENTS.items() if entry.batched_acting]
    assert batched == ['dqn', 'nfq', 'ddpg', 'd4pg', 'td3', 'sac', 'random']
    for name in batched[:-1]:
        assert registry.AGENTS[name].builder_class.batched_acting
    with pytest.raises(ValueError, match='num_envs must be an integer >= 1, got 2.0'):
        registry.check_num_envs(registry.get('dqn'), 2.0)
    assert all(registry.check_num_envs(registry.get(name), 2) is None
               for name in batched)
