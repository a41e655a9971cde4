"""The `troupe` command line.

`troupe demo` runs a random agent through the EnvironmentLoop on a built-in
environment and prints every logged episode: the smallest complete run of the
framework's parts. Later commands (train, evaluate, plot) build on the same loop.
"""

import argparse
import logging
import sys
from typing import Optional, Sequence


def _demo(args: argparse.Namespace) -> int:
    import troupe
    from troupe import environments
    from troupe.components import actors, counting, loggers

    environment = environments.make(args.env, seed=args.seed)
    spec = troupe.make_environment_spec(environment)
    actor = actors.RandomActor(spec.actions, seed=args.seed)
    logger = loggers.make_default_logger(
        'random_agent', time_delta=0.0, directory=args.logdir,
        save_data=args.logdir is not None)
    loop = troupe.EnvironmentLoop(environment, actor, counter=counting.Counter(),
                                  logger=logger, label='random_agent')
    steps = loop.run(num_episodes=args.episodes)
    print(f'Ran {args.episodes} episodes ({steps} steps) of a random agent on '
          f'{args.env!r}.')
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='troupe', description='troupe: Acme-style reinforcement learning.')
    parser.add_argument('--debug', action='store_true',
                        help='show full tracebacks on errors')
    commands = parser.add_subparsers(dest='command', required=True)
    demo = commands.add_parser(
        'demo', help='run a random agent through the environment loop')
    demo.add_argument('--env', default='catch', help='registry name (default: catch)')
    demo.add_argument('--episodes', type=int, default=10)
    demo.add_argument('--seed', type=int, default=0)
    demo.add_argument('--logdir', default=None,
                      help='also write the episodes as CSV under this directory')
    demo.set_defaults(handler=_demo)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.debug else logging.WARNING)
    if getattr(args, 'episodes', 1) < 1:
        parser.error(f'--episodes must be >= 1, got {args.episodes}')
    try:
        return args.handler(args)
    except (ValueError, KeyError, TypeError) as error:
        if args.debug:
            raise
        print(f'troupe: error: {error}', file=sys.stderr)
        return 2


if __name__ == '__main__':
    sys.exit(main())
