"""`troupe plot LOGDIR...`: learning curves of runs, grouped by agent and environment.

Each LOGDIR may be a run directory or any directory above run directories (all
runs below it are found). Runs of the same agent on the same environment (e.g.
several seeds) form a group, drawn as the mean of their smoothed curves with a
± one standard deviation band; each group has its own colour.
"""

import argparse
import collections
import os
from typing import Dict, List

import numpy as np

from troupe import errors

DEFAULT_OUTPUT = 'learning_curves.png'


def add_parser(commands) -> None:
    plot = commands.add_parser(
        'plot', help='plot learning curves (return vs env steps) of runs',
        description='Plot episode return against environment steps from the CSV '
                    'logs of one or more runs; runs of the same agent and '
                    'environment are averaged with a band.')
    plot.add_argument('logdirs', nargs='+', metavar='LOGDIR',
                      help='run directories, or directories holding runs')
    plot.add_argument('-o', '--output', default=DEFAULT_OUTPUT, metavar='FILE.png',
                      help=f'where to write the figure (default {DEFAULT_OUTPUT})')
    plot.add_argument('--window', type=int, default=10, metavar='W',
                      help='episodes in the moving average (default 10)')
    plot.add_argument('--title', default='', help='figure title')
    plot.set_defaults(handler=run, check=check)


def check(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    if args.window < 1:
        parser.error(f'--window must be >= 1, got {args.window}')
    if not args.output.lower().endswith('.png'):
        parser.error(f'-o/--output must name a .png file, got {args.output!r}')


def load_groups(logdirs: List[str]) -> Dict[str, List]:
    """{'<agent> on <env>': [plotting.Run, ...]} of the runs at or below `logdirs`."""
    from troupe.cli import rundir
    from troupe.components import plotting

    groups: Dict[str, List] = collections.OrderedDict()
    for run_dir in rundir.find_runs(logdirs):
        config = rundir.read_config(run_dir)
        path = rundir.csv_path(run_dir, 'actor')
        if not os.path.exists(path):
            raise errors.InvalidInput(f'{run_dir!r} has no episode log ({path}).')
        name = f'{config["agent"]} on {config["env"]}'
        groups.setdefault(name, []).append(
            plotting.read_run(path, label=f'{name} seed {config["seed"]}'))
    return groups


def run(args: argparse.Namespace) -> int:
    from troupe.components import plotting

    groups = load_groups(args.logdirs)
    plotting.plot_learning_curves(groups, args.output, title=args.title,
                                  window=args.window)
    for name, runs in groups.items():
        finals = [float(np.mean(r.returns[-args.window:])) for r in runs if r.returns.size]
        described = (f'last {args.window} episodes {np.mean(finals):.2f}'
                     + (f' ± {np.std(finals):.2f}' if len(finals) > 1 else '')
                     if finals else 'no episodes')
        print(f'{name}: {len(runs)} run{"s" if len(runs) != 1 else ""}, {described}')
    print(f'Wrote {args.output}')
    return 0
