"""Runs killed with SIGKILL and resumed (`troupe train --resume`), beside
uninterrupted runs, and what a whole-run checkpoint costs.

`--study kill`: for each case (DQN on CartPole, DQN on 8 CartPole copies, SAC and
D4PG on Pendulum) it trains `--seeds` uninterrupted runs, then runs of the first
`--killed-seeds` seeds that are killed with SIGKILL at `--kills` random moments
spread over the run (env-step targets drawn uniformly over 5-95% of the budget;
each kill comes a random 0-1.5 s after the run's checkpoint reaches its target,
and some land during a checkpoint save, with `--checkpoint-every 1`) and resumed
each time. (Until 2026-12-04 each kill came 0-4 s after the resumed process's
first checkpoint, so all five landed in the first quarter of the run.) For each killed run it checks what the issue asks: env steps and
episodes continue exactly from each checkpoint, every episode is in the CSV once
and in order, and the replay after each resume holds exactly the items of its
checkpoint; and it compares the final greedy return with the uninterrupted
seeds' spread. With `--eval-every N` every run also evaluates greedily every N
env steps, and the curves of killed and uninterrupted runs are recorded side by
side (the final greedy return of SAC on Pendulum is bimodal from one evaluation
to the next, so one final figure says little).

`--study cost`: one DQN agent whose replay holds `--items` transitions of
CartPole; the seconds and bytes of a whole-run checkpoint (replay, networks,
optimiser, counters), and the training slowdown that implies at the default
period of 300 s.

Usage: python benchmarks/kill_resume.py [--study kill|cost|both] [--seeds 5]
         [--killed-seeds 1] [--kills 5] [--kill-seed 0] [--eval-every 0]
         [--cases NAME ...] [--items 100000]
"""

import argparse
import csv
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common  # noqa: E402

CASES = {
    'dqn_cartpole': ['dqn', '--env', 'cartpole', '--steps', '20000'],
    'dqn_cartpole_8_copies': ['dqn', '--env', 'cartpole', '--num-envs', '8',
                              '--steps', '20000'],
    'sac_pendulum': ['sac', '--env', 'pendulum', '--steps', '8000'],
    'd4pg_pendulum': ['d4pg', '--env', 'pendulum', '--steps', '8000'],
}
RESUMED = re.compile(r'Resumed from checkpoint (\d+): ([\d,]+) env steps, ([\d,]+) '
                     r'episodes, replay (\w+) ([\d,]+) items')
DEFAULT_PERIOD_SECONDS = 300.0


def _train(arguments):
    return subprocess.Popen([sys.executable, '-m', 'troupe', 'train'] + arguments,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL='2'))


def _checkpoints(logdir):
    directory = os.path.join(logdir, 'checkpoints', 'run')
    return sorted(int(n) for n in os.listdir(directory) if n.isdigit()) \
        if os.path.isdir(directory) else []


def _manifest(logdir, number):
    path = os.path.join(logdir, 'checkpoints', 'run', str(number), 'manifest.json')
    with open(path) as file:
        return json.load(file)


def _latest_env_steps(logdir) -> int:
    """The env steps of the newest run checkpoint (0 if none yet)."""
    numbers = _checkpoints(logdir)
    for number in reversed(numbers):
        try:
            return int(_manifest(logdir, number)['metadata']['env_steps'])
        except (OSError, ValueError, KeyError):  # Pruned or being written.
            continue
    return 0


def kill_targets(budget: int, kills: int, rng) -> list:
    """`kills` env-step counts drawn uniformly over 5-95% of the budget, sorted:
    where the kills land, spread over the whole run."""
    return sorted(int(rng.uniform(0.05, 0.95) * budget) for _ in range(kills))


def _killed_run(arguments, logdir, targets, rng):
    """Trains, killing once the run's newest checkpoint reaches each of
    `targets` (env steps) plus a random 0-1.5 s (checkpoints come every second,
    so some kills land during a save), and resuming each time; returns what
    each resume started from and whether it matched."""
    kills = len(targets)
    process = _train(arguments + ['--logdir', logdir, '--checkpoint-every', '1'])
    resumes, manifests = [], {}
    for kill in range(kills + 1):
        if kill > 0:
            # The manifests a resume may start from (they are pruned as it goes on).
            manifests = {n: _manifest(logdir, n) for n in _checkpoints(logdir)}
            process = _train(['--resume', logdir, '--checkpoint-every', '1'])
        if kill < kills:
            first = (_checkpoints(logdir) or [0])[-1] + 1
            # A fresh checkpoint of this process at or past the target, then a
            # random moment after it.
            while process.poll() is None and (
                    (_checkpoints(logdir) or [0])[-1] < first
                    or _latest_env_steps(logdir) < targets[kill]):
                time.sleep(0.1)
            time.sleep(rng.uniform(0.0, 1.5))
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
        output = process.communicate()[0]
        if kill > 0:
            match = RESUMED.search(output)
            if match is None:
                raise SystemExit(f'resume {kill} did not start:\n{output[-3000:]}')
            number, steps, episodes, _, items = match.groups()
            manifest = manifests.get(int(number))
            record = {'checkpoint': int(number), 'env_steps': int(steps.replace(',', '')),
                      'episodes': int(episodes.replace(',', '')),
                      'replay_items': int(items.replace(',', ''))}
            if manifest is not None:
                record['matches_checkpoint'] = (
                    record['env_steps'] == manifest['metadata']['env_steps']
                    and record['episodes'] == manifest['metadata']['episodes']
                    and record['replay_items'] == sum(manifest['replay_sizes'].values()))
            resumes.append(record)
            print(f'    resume {kill}: {record}', flush=True)
    if process.returncode != 0:
        raise SystemExit(f'the last resume failed:\n{output[-3000:]}')
    return resumes


def _budget(arguments) -> int:
    return int(arguments[arguments.index('--steps') + 1])


def _episodes_once_in_order(logdir):
    with open(os.path.join(logdir, 'logs', 'actor', 'logs.csv'), newline='') as file:
        episodes = [int(float(row['episodes'])) for row in csv.DictReader(file)]
    return episodes == list(range(1, len(episodes) + 1)), len(episodes)


def study_kill(args):
    rng = random.Random(args.kill_seed)
    results = {}
    with tempfile.TemporaryDirectory() as root:
        for name in args.cases:
            arguments = CASES[name] + (['--eval-every', str(args.eval_every)]
                                       if args.eval_every else [])
            print(f'{name}:', flush=True)
            finals, curves = [], []
            for seed in range(args.seeds):
                logdir = os.path.join(root, f'{name}-{seed}')
                process = _train(arguments + ['--seed', str(seed), '--logdir', logdir,
                                              '--no-plot'])
                output = process.communicate()[0]
                if process.returncode != 0:
                    raise SystemExit(output[-3000:])
                finals.append(common.final_greedy_return(logdir)[0])
                curves.append(common.greedy_curve(logdir))
                print(f'  uninterrupted seed {seed}: greedy {finals[-1]:.1f}', flush=True)
            killed = []
            for seed in range(args.killed_seeds):
                logdir = os.path.join(root, f'{name}-killed-{seed}')
                targets = kill_targets(_budget(arguments), args.kills, rng)
                resumes = _killed_run(arguments + ['--seed', str(seed), '--no-plot'],
                                      logdir, targets, rng)
                final, run_results = common.final_greedy_return(logdir)
                in_order, rows = _episodes_once_in_order(logdir)
                killed.append({
                    'seed': seed,
                    'final_return': final,
                    'within_range': min(finals) <= final <= max(finals),
                    'env_steps': run_results['env_steps'],
                    'episodes': run_results['episodes'],
                    'episodes_once_in_order': in_order and rows == run_results['episodes'],
                    'curve': common.greedy_curve(logdir),
                    'kill_targets_env_steps': targets,
                    'resumes': resumes})
                print(f'  seed {seed} killed {args.kills}× and resumed: greedy {final:.1f} '
                      f'(uninterrupted {min(finals):.1f} to {max(finals):.1f}); episodes '
                      f'once each, in order: {in_order}; resumes matching their '
                      f'checkpoint: {sum(r.get("matches_checkpoint", False) for r in resumes)}'
                      f'/{len(resumes)}', flush=True)
            results[name] = {
                'command': 'troupe train ' + ' '.join(arguments),
                'uninterrupted_final_returns': finals,
                'uninterrupted_range': [min(finals), max(finals)],
                'uninterrupted_curves': curves,
                'killed': killed,
                'killed_final_returns': [run['final_return'] for run in killed]}
            if args.killed_seeds > 1:
                print(f'  final greedy: uninterrupted median '
                      f'{statistics.median(finals):.1f}, killed median '
                      f'{statistics.median(results[name]["killed_final_returns"]):.1f}',
                      flush=True)
            common.write_results(args.name, {'machine': common.machine(), 'kill': results})
    return results


def study_cost(args):
    import troupe
    from troupe import environments
    from troupe.agents import dqn, local
    from troupe.agents.dqn import builder as dqn_builder
    from troupe.components import loggers, run_checkpoints

    with tempfile.TemporaryDirectory() as root:
        environment = environments.make('cartpole', seed=0)
        spec = troupe.make_environment_spec(environment)
        # No learning while the replay fills: only its items are timed here.
        config = dqn.presets.CARTPOLE.replace(min_replay_size=args.items,
                                              max_replay_size=args.items)
        agent = local.LocalAgent(
            dqn_builder.DQNBuilder(config), spec, logger=loggers.NoOpLogger(),
            replay_checkpointer=run_checkpoints.replay_checkpointer(root))
        loop = troupe.EnvironmentLoop(environment, agent, logger=loggers.NoOpLogger())
        start = time.perf_counter()
        loop.run(num_steps=args.items - 1)
        fill_seconds = time.perf_counter() - start
        checkpointer = run_checkpoints.RunCheckpointer(
            root, dict(agent.learner.state, acting=agent.acting_state),
            replay_client=agent.replay_client, before_save=agent.flush_replay_writes)
        saves = []
        for _ in range(args.repeats):
            saved = checkpointer.save({})
            saves.append(checkpointer.save_seconds[-1])
        size = sum(os.path.getsize(os.path.join(folder, name))
                   for folder, _, names in os.walk(saved.path) for name in names)
        replay_bytes = sum(os.path.getsize(os.path.join(folder, name))
                           for folder, _, names in os.walk(saved.replay_path)
                           for name in names)
        start = time.perf_counter()
        found = run_checkpoints.latest(root)
        assert found.replay_sizes == saved.replay_sizes
        check_seconds = time.perf_counter() - start
        agent.close()
        environment.close()
    median = statistics.median(saves)
    result = {'replay_items': saved.replay_sizes, 'fill_seconds': fill_seconds,
              'save_seconds': saves, 'median_save_seconds': median,
              'bytes': size, 'replay_bytes': replay_bytes,
              'bytes_per_item': replay_bytes / args.items,
              'find_latest_seconds': check_seconds,
              'slowdown_at_default_period': median / DEFAULT_PERIOD_SECONDS}
    print(f'cost: {saved.replay_sizes} items; a checkpoint takes {median:.2f} s '
          f'(median of {args.repeats}: {", ".join(f"{s:.2f}" for s in saves)}) and '
          f'{size / 1e6:.1f} MB ({replay_bytes / args.items:.0f} bytes per replay item); '
          f'every {DEFAULT_PERIOD_SECONDS:.0f} s that is '
          f'{100 * median / DEFAULT_PERIOD_SECONDS:.2f}% of training time (goal <= 5%)',
          flush=True)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--study', choices=('kill', 'cost', 'both'), default='both')
    parser.add_argument('--seeds', type=int, default=5)
    parser.add_argument('--killed-seeds', type=int, default=1,
                        help='killed runs, of seeds 0..N-1')
    parser.add_argument('--kills', type=int, default=5)
    parser.add_argument('--eval-every', type=int, default=0, metavar='STEPS',
                        help='greedy evaluations every STEPS env steps in every run')
    parser.add_argument('--kill-seed', type=int, default=0,
                        help='seed of the random kill moments')
    parser.add_argument('--cases', nargs='+', choices=sorted(CASES), default=list(CASES))
    parser.add_argument('--items', type=int, default=100_000)
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--name', default='kill_resume')
    args = parser.parse_args()
    results = {'machine': common.machine()}
    if args.study in ('cost', 'both'):
        results['cost'] = study_cost(args)
    if args.study in ('kill', 'both'):
        results['kill'] = study_kill(args)
    print('written', common.write_results(args.name, results))


if __name__ == '__main__':
    main()
