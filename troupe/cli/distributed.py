"""`troupe train AGENT --env NAME --distributed --num-actors N`: the same agent
and settings as `troupe train`, run as a distributed program on Ray (a replay
node, a learner node, N actor nodes and an evaluator). Without --ray-address it
starts a local Ray; with one it joins that cluster.

The learner, the counter and the replay checkpoint every --checkpoint-every
seconds; `troupe train --resume LOGDIR` starts the program again from them
(a driver killed with kill -9 included): the counts, learner and replay
continue, the budget stays the run's total, the CSV logs are cut back to the
counter's checkpoint and results.json continues the run's (written while it
runs too)."""

import argparse
import os
import shlex
from typing import Any, Dict, List

import numpy as np


def add_arguments(train: argparse.ArgumentParser) -> None:
    """The distributed options of `troupe train`."""
    group = train.add_argument_group(
        'distributed', 'run on Ray: replay, learner, N actors and an evaluator, each '
                       'in its own process (needs the `distributed` extra)')
    group.add_argument('--distributed', action='store_true',
                       help='run as a distributed program (every agent with a '
                            'learner: see `troupe list`); --steps counts the steps '
                            'of all actors')
    group.add_argument('--num-actors', type=int, default=2, metavar='N',
                       help='actor nodes (default 2)')
    group.add_argument('--ray-address', metavar='ADDR', default=None,
                       help="join the Ray cluster at ADDR ('HOST:PORT' or 'auto') "
                            'instead of starting a local one')
    group.add_argument('--max-seconds', type=float, default=None, metavar='S',
                       help='also stop after S seconds of wall time')
    group.add_argument('--actor-exploration', type=float, nargs='+', default=None,
                       metavar='X', help='one exploration value per actor: ε for '
                                         'dqn and nfq, the noise σ for ddpg, '
                                         'd4pg, td3 and maddpg')
    group.add_argument('--variable-cache-seconds', type=float, default=None,
                       metavar='S', help='actors fetch weights through a cache node '
                                         'refreshed every S seconds (many actors)')
    group.add_argument('--actor-resource', action='append', default=None,
                       metavar='NAME[=AMOUNT]',
                       help='a custom Ray resource each actor needs (default amount '
                            '1), placing the actors on the nodes started with it '
                            "(ray start --resources='{\"NAME\": N}'); repeatable")
    group.add_argument('--eval-seconds', type=float, default=10.0, metavar='S',
                       help='pause between the evaluator\'s evaluations (default 10)')


def check(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    """Errors for distributed options that make no sense (argparse style)."""
    if not args.distributed:
        for option, default in (('num_actors', 2), ('ray_address', None),
                                ('max_seconds', None), ('actor_exploration', None),
                                ('variable_cache_seconds', None),
                                ('actor_resource', None)):
            if getattr(args, option) != default:
                parser.error(f'--{option.replace("_", "-")} needs --distributed')
        return
    if args.num_actors < 1:
        parser.error(f'--num-actors must be >= 1, got {args.num_actors}')
    if args.episodes is not None:
        parser.error('--distributed counts env steps, not episodes: give --steps N '
                     '(and/or --max-seconds S)')
    from troupe.cli import common
    common.check_positive_number(parser, '--max-seconds', args.max_seconds,
                                 allow_inf=True)  # inf: no time limit.
    common.check_positive_number(parser, '--variable-cache-seconds',
                                 args.variable_cache_seconds)
    common.check_positive_number(parser, '--eval-seconds', args.eval_seconds)
    for value in args.actor_exploration or ():
        if not 0 <= value < float('inf'):  # NaN fails too; the agent checks the rest.
            parser.error(f'--actor-exploration values must be finite numbers >= 0, got '
                         f'{value}')
    if (args.actor_exploration is not None
            and len(args.actor_exploration) != args.num_actors):
        parser.error(f'--actor-exploration takes one value per actor: '
                     f'{len(args.actor_exploration)} given for {args.num_actors} actors')


def parse_resources(items) -> Dict[str, float]:
    """['sim', 'gpu_box=0.5'] -> {'sim': 1.0, 'gpu_box': 0.5}."""
    from troupe import errors
    resources: Dict[str, float] = {}
    for item in items or ():
        name, separator, amount = item.partition('=')
        try:
            value = float(amount) if separator else 1.0
        except ValueError:
            value = None
        if not name or value is None or not 0 < value < float('inf'):  # NaN fails.
            raise errors.InvalidInput(f'--actor-resource expects NAME or NAME=AMOUNT '
                                      f'with an amount > 0, got {item!r}.')
        resources[name] = value
    return resources


def _check_actor_exploration(entry, config, values) -> None:
    """Each --actor-exploration value is one the agent's config accepts for its
    exploration field (e.g. ε in [0, 1]), checked before any node starts."""
    from troupe import errors
    field = getattr(entry.builder_class, 'exploration_field', None)
    if not values or field is None:
        return  # The program says which agents take the option.
    for value in values:
        try:
            config.replace(**{field: value})
        except errors.InvalidInput as error:
            raise errors.InvalidInput(f'--actor-exploration {value}: {error}') from None


def run(args: argparse.Namespace) -> int:
    """Trains with a distributed program; writes LOGDIR like `troupe train`."""
    import troupe
    from troupe.agents import registry
    from troupe.cli import common, rundir
    from troupe.distributed import DistributedProgram, ProgramConfig, StopConditions

    entry = registry.get(args.agent)
    overrides = common.parse_assignments(args.config, '--config')
    env_overrides = common.parse_assignments(args.env_config, '--env-config')
    config = entry.resolve(args.env, overrides, seed=args.seed)
    _check_actor_exploration(entry, config, args.actor_exploration)
    hyperparameters = config.to_json()
    env_kwargs = dict(entry.environment_kwargs(args.env), **env_overrides)
    steps = args.steps
    if steps is None and args.max_seconds is None:
        steps, _ = entry.budget(args.env)
        steps = steps or entry.default_steps
    resumed = getattr(args, 'resume', None) is not None
    logdir = args.resume if resumed else common.prepare_logdir(args)
    os.makedirs(logdir, exist_ok=True)
    program_config = ProgramConfig(
        args.agent, args.env, hyperparameters, env_kwargs=env_kwargs, seed=args.seed,
        num_envs=args.num_envs, actor_exploration=args.actor_exploration,
        logdir=logdir, evaluation_episodes=args.eval_episodes,
        evaluation_period_seconds=args.eval_seconds,
        # The learner's, the counter's and the replay's checkpoints.
        checkpoint_minutes=args.checkpoint_every / 60.0)
    program = DistributedProgram(
        program_config, num_actors=args.num_actors,
        stop=StopConditions(max_actor_steps=steps, max_seconds=args.max_seconds),
        ray_address=args.ray_address,
        variable_cache_seconds=args.variable_cache_seconds,
        actor_resources=parse_resources(args.actor_resource))
    if resumed:  # The run keeps its own config.json.
        print(f'Resuming the distributed run in {logdir} with its own command '
              f'({", ".join(shlex.quote(a) for a in args.argv)}).', flush=True)
        results = program.run()
        curve = None if args.no_plot else _write_curve(args, logdir, results)
        _print_summary(args, results, logdir, curve)
        return 0
    rundir.write_json(os.path.join(logdir, rundir.CONFIG_FILE), {
        'format_version': rundir.FORMAT_VERSION,
        'troupe_version': troupe.__version__,
        'command': 'troupe ' + ' '.join(shlex.quote(a) for a in getattr(args, 'argv', ())),
        'agent': args.agent, 'env': args.env, 'env_kwargs': env_kwargs,
        'seed': args.seed, 'num_envs': args.num_envs,
        'budget': {'steps': steps, 'episodes': None, 'max_seconds': args.max_seconds},
        'distributed': {'num_actors': args.num_actors, 'ray_address': args.ray_address,
                        'actor_exploration': args.actor_exploration,
                        'actor_resources': parse_resources(args.actor_resource)},
        'eval_episodes': args.eval_episodes,
        'preset': entry.preset(args.env).source or None,
        'overrides': registry.to_json(overrides),
        'hyperparameters': hyperparameters,
    })
    results = program.run()
    curve = None if args.no_plot else _write_curve(args, logdir, results)
    _print_summary(args, results, logdir, curve)
    return 0


def _episodes(logdir: str, num_actors: int) -> List[Dict[str, Any]]:
    """Every actor's episode rows, ordered by the actor steps when they ended."""
    import csv
    from troupe.cli import rundir
    rows = []
    for index in range(num_actors):
        path = rundir.csv_path(logdir, f'actor_{index}')
        if os.path.exists(path):
            with open(path, newline='') as file:
                rows.extend(row for row in csv.DictReader(file)
                            if row.get('actor_steps') and row.get('episode_return'))
    return sorted(rows, key=lambda row: float(row['actor_steps']))


def _write_curve(args, logdir: str, results: Dict[str, Any]) -> str:
    from troupe.cli import rundir
    from troupe.components import plotting
    rows = _episodes(logdir, args.num_actors)
    steps = np.array([float(row['actor_steps']) for row in rows])
    returns = np.array([float(row['episode_return']) for row in rows])
    evaluations = results['evaluations']
    points = None
    if evaluations:
        points = (np.array([row['actor_steps'] for row in evaluations]),
                  np.array([row['evaluation_return'] for row in evaluations]))
    return plotting.plot_learning_curves(
        {f'{args.agent} on {args.env}, {args.num_actors} actors': [plotting.Run(
            steps, returns, evaluations=points)]},
        os.path.join(logdir, rundir.CURVE_FILE),
        title=f'{args.agent} on {args.env}, distributed (seed {args.seed})')


def _print_summary(args, results: Dict[str, Any], logdir: str, curve) -> None:
    from troupe.components import plotting
    counts = results['counts']
    print(f'Trained {args.agent} on {args.env!r} with {args.num_actors} actors: '
          f'{int(counts.get("actor_steps", 0)):,} env steps, '
          f'{int(counts.get("actor_episodes", 0)):,} episodes and '
          f'{int(counts.get("learner_steps", 0)):,} learner steps in '
          f'{results["seconds"]:.1f} s ({results["actor_steps_per_second"]:,.0f} env '
          f'steps/s); stopped at {results["stopped_because"]}.')
    rows = _episodes(logdir, args.num_actors)
    if rows:
        print('Learning curve (mean return of the actors\' episodes ending in each '
              'tenth of the run):')
        for line in plotting.text_learning_curve(
                np.array([float(r['actor_steps']) for r in rows]),
                np.array([float(r['episode_return']) for r in rows])):
            print('  ' + line)
    if results['evaluations']:
        last = results['final_evaluation'] or results['evaluations'][-1]
        print(f'{"Final" if results["final_evaluation"] else "Last"} evaluation '
              f'(greedy, {args.eval_episodes} episodes at '
              f'{int(last["actor_steps"]):,} actor steps): return '
              f'{last["evaluation_return"]:.2f}')
    restarts = {name: n for name, n in results['restarts'].items() if n}
    if restarts:
        print(f'Restarted nodes: {restarts}')
    replay = results['replay']
    if replay['restarts']:
        print(f'The replay node restarted {len(replay["restarts"])} time(s) from its '
              f'checkpoints, losing {replay["items_lost"]:,} items inserted after them '
              'in all.')
    if results['resumes']:
        print(f'Resumed {len(results["resumes"])} time(s) from the run\'s checkpoints; '
              f'this launch took {results["launch_seconds"]:.1f} s of the '
              f'{results["seconds"]:.1f} s.')
    print(f'Logs, checkpoints and results: {logdir}' +
          (f'; learning curve: {curve}' if curve else ''))
