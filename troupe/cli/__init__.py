"""The `troupe` command line.

    troupe train AGENT --env NAME [--steps N | --episodes N] [--seed S]
                 [--logdir DIR] [--config KEY=VALUE ...]
    troupe evaluate LOGDIR [--episodes N] [--video FILE.mp4|.gif]
    troupe plot LOGDIR... [-o FILE.png]
    troupe list [AGENT]
    troupe demo

Bad input (an unknown agent, environment or hyperparameter, a value of the
wrong type, a run directory without a checkpoint, an agent that cannot act in
the environment) gives a one-line error on stderr and exit status 2; `--debug`
shows the traceback instead.
"""

import argparse
import logging
import sys
from typing import Optional, Sequence

from troupe.cli import demo, evaluate, listing, plot, train
from troupe.errors import InvalidInput, NonFiniteLossError

__all__ = ['build_parser', 'main']

# Errors that mean bad input (or a missing optional package or file), or a
# training run that diverged (a NaN or Inf update, status 1), shown in one line;
# anything else is a bug and keeps its traceback.
_USER_ERRORS = (InvalidInput, ImportError, FileNotFoundError, NotADirectoryError,
                PermissionError, NonFiniteLossError)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='troupe', description='troupe: Acme-style reinforcement learning.')
    parser.add_argument('--debug', action='store_true',
                        help='show full tracebacks on errors')
    commands = parser.add_subparsers(dest='command', required=True, metavar='COMMAND')
    train.add_parser(commands)
    evaluate.add_parser(commands)
    plot.add_parser(commands)
    listing.add_parser(commands)
    demo.add_parser(commands)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    args.argv = argv
    logging.basicConfig(level=logging.INFO if args.debug else logging.WARNING)
    if not args.debug:
        # E.g. "unrestored values" when evaluation restores a learner without
        # its optimizer slots, which only training creates.
        logging.getLogger('tensorflow').setLevel(logging.ERROR)
    check = getattr(args, 'check', None)
    if check is not None:
        check(args, parser)
    try:
        return args.handler(args)
    except _USER_ERRORS as error:
        if args.debug:
            raise
        message = str(error)
        message = ' '.join(message.split()) or type(error).__name__
        print(f'troupe: error: {message}', file=sys.stderr)
        return 1 if isinstance(error, NonFiniteLossError) else 2


if __name__ == '__main__':
    sys.exit(main())
