"""Does checkpointing often change what a run learns? Uninterrupted runs at the
default whole-run checkpoint period beside runs that checkpoint every
`--period` seconds, nothing killed.

For each seed, alternating, it runs
  troupe train AGENT --env ENV --steps N --seed S --eval-every E [--checkpoint-every P]
and records the final greedy return (10 episodes) and the greedy curve (every E
env steps) of each, then prints both groups' finals, medians and how many end
below `--threshold`. Written for SAC on Pendulum, whose runs killed and
resumed with 1 s checkpoints ended worse more often than uninterrupted ones
(docs/reliability.md).

Usage: python benchmarks/checkpoint_period.py [--agent sac] [--env pendulum]
         [--steps 8000] [--seeds 0 1 2 3 4] [--period 1] [--eval-every 1000]
         [--threshold -400] [--name checkpoint_period]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common  # noqa: E402

DEFAULT = 'checkpoint every 300 s (default)'


def train(arguments, logdir):
    """One `troupe train` run; returns (final greedy return, greedy curve)."""
    result = subprocess.run([sys.executable, '-m', 'troupe', 'train'] + arguments
                            + ['--logdir', logdir, '--no-plot'],
                            capture_output=True, text=True,
                            env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL='2'))
    if result.returncode != 0:
        raise SystemExit(f'troupe train {" ".join(arguments)} failed:\n'
                         f'{result.stdout[-2000:]}{result.stderr[-2000:]}')
    final = common.final_greedy_return(logdir)[0]
    curve = common.greedy_curve(logdir)
    return final, curve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--agent', default='sac')
    parser.add_argument('--env', default='pendulum')
    parser.add_argument('--steps', type=int, default=8000)
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2, 3, 4])
    parser.add_argument('--period', type=float, default=1.0,
                        help='seconds between checkpoints of the frequent group')
    parser.add_argument('--eval-every', type=int, default=1000)
    parser.add_argument('--threshold', type=float, default=-400.0,
                        help='finals below this are counted')
    parser.add_argument('--name', default='checkpoint_period')
    args = parser.parse_args()
    if args.steps < 1 or args.eval_every < 1 or not args.period > 0:
        parser.error('--steps and --eval-every must be >= 1 and --period > 0, got '
                     f'{args.steps}, {args.eval_every}, {args.period}')
    frequent = f'checkpoint every {args.period:g} s'
    command = ['troupe', 'train', args.agent, '--env', args.env, '--steps',
               str(args.steps), '--eval-every', str(args.eval_every)]
    groups = {DEFAULT: [], frequent: []}
    with tempfile.TemporaryDirectory() as root:
        for seed in args.seeds:
            for group, extra in ((DEFAULT, []),
                                 (frequent, ['--checkpoint-every', str(args.period)])):
                arguments = command[2:] + ['--seed', str(seed)] + extra
                final, curve = train(arguments, os.path.join(root, f'{seed}-{len(extra)}'))
                groups[group].append({'seed': seed, 'final_return': final,
                                      'curve': curve})
                print(f'seed {seed}, {group}: final greedy {final:.1f}', flush=True)
    summary = {}
    for group, runs in groups.items():
        finals = [run['final_return'] for run in runs]
        summary[group] = {'finals': finals, 'median': statistics.median(finals),
                          'below_threshold': sum(f < args.threshold for f in finals)}
        print(f'{group}: median {summary[group]["median"]:.1f}, '
              f'{summary[group]["below_threshold"]} of {len(finals)} below '
              f'{args.threshold:g}', flush=True)
    print('written', common.write_results(args.name, {
        'machine': common.machine(),
        'command': ' '.join(command) + ' --seed S [--checkpoint-every P]',
        'threshold': args.threshold, 'summary': summary, 'runs': groups}))


if __name__ == '__main__':
    main()
