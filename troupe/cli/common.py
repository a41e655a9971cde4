"""What several `troupe` commands share: KEY=VALUE options, run directories,
the training environment and evaluating a built agent."""

import ast
import os
from typing import Any, Dict, List, Optional, Sequence


from troupe import errors


def parse_assignments(items: Optional[Sequence[str]], option: str) -> Dict[str, Any]:
    """KEY=VALUE strings -> {key: value}; values are Python literals where they
    parse as one (numbers, true/false/none, lists), strings otherwise."""
    result: Dict[str, Any] = {}
    for item in items or ():
        key, separator, text = item.partition('=')
        key = key.strip()
        if not separator or not key:
            raise errors.InvalidInput(f'{option} expects KEY=VALUE, got {item!r}.')
        result[key] = parse_value(text.strip())
    return result


def parse_value(text: str) -> Any:
    lowered = text.lower()
    if lowered in ('true', 'false'):
        return lowered == 'true'
    if lowered in ('none', 'null'):
        return None
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


# Environments take seeds in [0, 2**32 - 1]; the flags stop at 2**31 - 1 to leave
# room for the seeds made from them (evaluation: seed + 10,000; copies and actors:
# seed + their index or more).
MAX_SEED = 2 ** 31 - 1


def check_seed(parser, flag: str, seed: Optional[int]) -> None:
    """A usage error unless `seed` (of `flag`) is None or in [0, 2**31 - 1]."""
    if seed is not None and not 0 <= seed <= MAX_SEED:
        parser.error(f'{flag} must be an integer in [0, 2**31 - 1], got {seed}')


def check_positive_number(parser, flag: str, value: Optional[float],
                          allow_inf: bool = False) -> None:
    """A usage error unless `value` (of `flag`) is None or a number > 0 (finite
    unless `allow_inf`: e.g. no time limit)."""
    if value is None:
        return
    if not value > 0 or (not allow_inf and value == float('inf')):
        parser.error(f'{flag} must be a {"" if allow_inf else "finite "}number > 0, '
                     f'got {value}')


def policy_name(agent: str) -> str:
    """What the evaluation actor of `agent` follows."""
    return 'random policy' if agent == 'random' else 'greedy policy'


def plural(count: int, noun: str) -> str:
    return f'{count:,} {noun}' + ('' if count == 1 else 's')


def evaluate_policy(built, env_name: str, seed: int, env_kwargs: Dict[str, Any],
                    episodes: int, observers=()) -> List[float]:
    """Returns of `episodes` episodes of the agent's evaluation actor on a fresh
    environment seeded with `seed`."""
    import troupe
    from troupe.agents import registry
    from troupe.components import loggers
    from troupe.environments.multiagent import team_return

    environment = registry.make_environment(env_name, seed, env_kwargs,
                                            render=bool(observers))
    loop = troupe.EnvironmentLoop(environment, built.make_evaluation_actor(),
                                  should_update=False, logger=loggers.NoOpLogger(),
                                  observers=observers)
    try:
        return [team_return(loop.run_episode()['episode_return'])
                for _ in range(episodes)]
    finally:
        environment.close()


def _make_copy(seed: int, name: str, kwargs: Dict[str, Any]):
    """One copy of a batched environment (module level: picklable)."""
    from troupe.agents import registry
    return registry.make_environment(name, seed, kwargs)


def make_training_environment(env_name: str, seed: int, env_kwargs: Dict[str, Any],
                              num_envs: Optional[int] = None):
    """The environment the agent trains in: one seeded with `seed`, or (with
    `num_envs`) a `BatchedEnvironment` of copies seeded seed, ..., seed+N-1."""
    from troupe.agents import registry
    if num_envs is None:
        return registry.make_environment(env_name, seed, env_kwargs)
    from troupe.environments import BatchedEnvironment
    return BatchedEnvironment(_make_copy, num_envs, seed=seed, name=env_name,
                              kwargs=env_kwargs)


def prepare_logdir(args) -> str:
    from troupe.cli import rundir
    logdir = args.logdir or rundir.default_logdir(args.agent, args.env, args.seed)
    if os.path.exists(os.path.join(logdir, rundir.CONFIG_FILE)):
        raise errors.InvalidInput(f'{logdir!r} already holds a run; choose another --logdir.')
    if os.path.exists(logdir) and not os.path.isdir(logdir):
        raise errors.InvalidInput(f'--logdir {logdir!r} is a file, not a directory.')
    return logdir
