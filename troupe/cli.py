"""The `troupe` command line.

`troupe demo` trains DQN on Catch (about 4,500 environment steps) and shows its
learning: a random agent's mean return for reference, then the mean return of each
window of episodes as training goes on. `--agent random` runs only the random agent.
"""

import argparse
import logging
import sys
from typing import List, Optional, Sequence

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
    preset = dqn.presets.CATCH if args.env == 'catch' else {}
    agent = dqn.DQN(spec, dqn.make_mlp_network(spec, dqn.presets.CATCH_HIDDEN_SIZES),
                    checkpoint=False, logger=loggers.NoOpLogger(), **preset)
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='troupe', description='troupe: Acme-style reinforcement learning.')
    parser.add_argument('--debug', action='store_true',
                        help='show full tracebacks on errors')
    commands = parser.add_subparsers(dest='command', required=True)
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
    demo.set_defaults(handler=_demo)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.debug else logging.WARNING)
    for name in ('episodes', 'window'):
        if getattr(args, name, 1) < 1:
            parser.error(f'--{name} must be >= 1, got {getattr(args, name)}')
    if getattr(args, 'window', 1) > getattr(args, 'episodes', 1):
        parser.error(f'--window ({args.window}) must not exceed --episodes '
                     f'({args.episodes})')
    try:
        return args.handler(args)
    except (ValueError, KeyError, TypeError) as error:
        if args.debug:
            raise
        print(f'troupe: error: {error}', file=sys.stderr)
        return 2


if __name__ == '__main__':
    sys.exit(main())
