"""`troupe demo`: the quick look at an agent learning.

`troupe demo` trains DQN on Catch (about 4,500 environment steps) and shows its
learning: a random agent's mean return for reference, then the mean return of each
window of episodes as training goes on. `--agent random` runs only the random agent.
"""

import argparse
import os
from typing import List

import numpy as np


def _bar(value: float, low: float, high: float, width: int = 30) -> str:
    fraction = 0.0 if high <= low else (value - low) / (high - low)
    filled = int(round(max(0.0, min(1.0, fraction)) * width))
    return '█' * filled + '·' * (width - filled)


def _random_baseline(env_name: str, seed: int, episodes: int) -> float:
    import troupe
    from troupe import environments
    from troupe.components import actors, loggers

    environment = environments.make(env_name, seed=seed + 1)
    actor = actors.RandomActor(troupe.make_environment_spec(environment).actions,
                               seed=seed)
    log = loggers.InMemoryLogger()
    troupe.EnvironmentLoop(environment, actor, logger=log).run(num_episodes=episodes)
    return float(np.mean([row['episode_return'] for row in log.data]))


def _train_dqn(args: argparse.Namespace, baseline: float) -> List[float]:
    import tensorflow as tf

    import troupe
    from troupe import environments
    from troupe.agents import dqn
    from troupe.components import loggers

    tf.random.set_seed(args.seed)
    environment = environments.make(args.env, seed=args.seed)
    spec = troupe.make_environment_spec(environment)
    config = dqn.presets.CATCH if args.env == 'catch' else dqn.DQNConfig()
    agent = dqn.DQN(spec, config=config.replace(seed=args.seed), checkpoint=False,
                    logger=loggers.NoOpLogger())
    episode_log = loggers.InMemoryLogger()
    sinks = [episode_log]
    if args.logdir:
        sinks.append(loggers.CSVLogger(args.logdir, label='dqn_actor'))
    loop = troupe.EnvironmentLoop(environment, agent, logger=loggers.Dispatcher(sinks),
                                  label='dqn_actor')
    window_means = []
    try:
        for done in range(args.window, args.episodes + 1, args.window):
            loop.run(num_episodes=args.window)
            rows = episode_log.data[-args.window:]
            mean = float(np.mean([row['episode_return'] for row in rows]))
            window_means.append(mean)
            print(f'episodes {done:5d} | steps {rows[-1]["steps"]:7d} | '
                  f'mean return {mean:+7.2f} | {_bar(mean, baseline, 1.0)}', flush=True)
    finally:
        agent.close()
    return window_means


def _demo(args: argparse.Namespace) -> int:
    print(f'Random agent on {args.env!r} ({args.window} episodes) ...', flush=True)
    baseline = _random_baseline(args.env, args.seed, args.window)
    print(f'random agent: mean return {baseline:+.2f}', flush=True)
    if args.agent == 'random':
        return 0
    print(f'Training DQN on {args.env!r} for {args.episodes} episodes '
          f'(bar: random agent = empty, return 1.0 = full) ...', flush=True)
    means = _train_dqn(args, baseline)
    print(f'DQN: mean return of the last {args.window} episodes {means[-1]:+.2f} '
          f'(random agent {baseline:+.2f}).')
    return 0


def add_parser(commands) -> None:
    """Adds the `demo` command to the `troupe` parser's subcommands."""
    demo = commands.add_parser(
        'demo', help='train DQN on Catch and show its learning curve')
    demo.add_argument('--env', default='catch',
                      help='registry name with discrete actions (default: catch)')
    demo.add_argument('--agent', choices=['dqn', 'random'], default='dqn')
    demo.add_argument('--episodes', type=int, default=500)
    demo.add_argument('--window', type=int, default=50,
                      help='episodes per line of the learning curve')
    demo.add_argument('--seed', type=int, default=0)
    demo.add_argument('--logdir', default=None,
                      help='also write every episode as CSV under this directory')
    demo.set_defaults(handler=run, check=check)


def check(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    """Rejects counts argparse cannot check (exits with a usage error)."""
    for name in ('episodes', 'window'):
        if getattr(args, name) < 1:
            parser.error(f'--{name} must be >= 1, got {getattr(args, name)}')
    if args.window > args.episodes:
        parser.error(f'--window ({args.window}) must not exceed --episodes '
                     f'({args.episodes})')
    from troupe.cli import common
    common.check_seed(parser, '--seed', args.seed)
    if args.logdir is not None and os.path.exists(args.logdir) and not os.path.isdir(
            args.logdir):
        parser.error(f'--logdir {args.logdir!r} is a file, not a directory')


def run(args: argparse.Namespace) -> int:
    return _demo(args)
