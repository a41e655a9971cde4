"""`troupe train AGENT --env NAME`: train any agent on any registry environment.

The run directory (see `rundir`) gets config.json first, then CSV and
TensorBoard logs as training goes, learner checkpoints (every few minutes and at
the end), results.json and a learning-curve PNG. The terminal shows a progress
line, then the learning curve as text and a greedy evaluation of the result.

With `--num-envs N` the agent acts on a `BatchedEnvironment` of N copies seeded
S, S+1, ..., S+N-1 (one policy call per batch step; budgets, logs and the
progress line count the env steps and episodes of all copies); evaluation runs
on one environment as without it.
"""

import argparse
import os
import shlex
import shutil
import time
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from troupe.cli import common

EVALUATION_SEED_OFFSET = 10_000   # Evaluation environments use seed + this.
LEARNER_LOG_SECONDS = 1.0         # At most one learner row per second in the logs.
EPISODE_SUMMARY_SECONDS = 1.0     # TensorBoard gets episode means this often.


def add_parser(commands) -> None:
    """Adds the `train` command to the `troupe` parser's subcommands."""
    train = commands.add_parser(
        'train', help='train an agent on an environment, with logs, checkpoints '
                      'and a learning curve',
        description='Train AGENT on the registry environment NAME. Without '
                    '--steps/--episodes the budget is the preset\'s (see `troupe '
                    'list`) or the agent\'s default.')
    train.add_argument('agent', metavar='AGENT', nargs='?',
                       help='agent name (see `troupe list`)')
    train.add_argument('--env', metavar='NAME',
                       help='registry environment name (see `troupe list`); required '
                            'unless --resume')
    train.add_argument('--resume', metavar='LOGDIR',
                       help="continue the run in LOGDIR (stopped or killed) from its "
                            "latest checkpoint, with the run's own command; replay, "
                            'networks, counters and logs continue where they were')
    train.add_argument('--checkpoint-every', type=float, default=300.0,
                       metavar='SECONDS',
                       help='seconds between whole-run checkpoints (replay '
                            'included; default 300, and one at the end); with '
                            '--distributed, between the learner\'s, the counter\'s '
                            'and the replay\'s checkpoints')
    budget = train.add_mutually_exclusive_group()
    budget.add_argument('--steps', type=int, metavar='N',
                        help='train for N environment steps (the last episode is '
                             'finished)')
    budget.add_argument('--episodes', type=int, metavar='N',
                        help='train for N episodes')
    train.add_argument('--seed', type=int, default=0, metavar='S')
    train.add_argument('--num-envs', type=int, default=None, metavar='N',
                       help='act on N copies of the environment at once (seeds S '
                            'to S+N-1), one policy call per step for all of them; '
                            'for dqn, ddpg, d4pg, td3, sac and random (dqn on '
                            'cartpole then uses the N-copy preset)')
    train.add_argument('--logdir', metavar='DIR',
                       help='run directory (default: runs/<agent>-<env>/seed<S>-<time>)')
    train.add_argument('--config', action='extend', nargs='+', metavar='KEY=VALUE',
                       default=[], help='override a hyperparameter, e.g. '
                                        'batch_size=64 hidden_sizes=[128,128]')
    train.add_argument('--env-config', action='extend', nargs='+', metavar='KEY=VALUE',
                       default=[], help='keyword arguments of the environment, e.g. '
                                        'observation_type=AGENT_ONEHOT')
    train.add_argument('--eval-every', type=int, default=0, metavar='N',
                       help='also evaluate the greedy policy every N env steps '
                            '(default: only at the end)')
    train.add_argument('--eval-episodes', type=int, default=10, metavar='N',
                       help='episodes per greedy evaluation (0: none; default 10)')
    train.add_argument('--no-plot', action='store_true',
                       help='do not write learning_curve.png')
    train.add_argument('--intra-op-threads', type=int, default=None, metavar='N',
                       help="TensorFlow's threads per op (default: the number of "
                            'cores); 1 is often faster for small networks on few '
                            'cores (see benchmarks/cpu_threads.py)')
    from troupe.cli import distributed
    distributed.add_arguments(train)
    train.set_defaults(handler=run, check=check)


def check(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    from troupe.cli import distributed
    if args.resume is not None:
        given = [flag for flag, value in (('AGENT', args.agent), ('--env', args.env))
                 if value is not None]
        if given:
            parser.error(f'--resume continues the run with its own command; give no '
                         f'{" or ".join(given)}')
    elif args.agent is None or args.env is None:
        parser.error('the following arguments are required: AGENT, --env '
                     '(or --resume LOGDIR)')
    if not args.checkpoint_every > 0:
        parser.error(f'--checkpoint-every must be > 0 seconds, got {args.checkpoint_every}')
    distributed.check(args, parser)
    for name in ('steps', 'episodes'):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f'--{name} must be >= 1, got {value}')
    common.check_seed(parser, '--seed', args.seed)
    if args.num_envs is not None and args.num_envs < 1:
        parser.error(f'--num-envs must be >= 1, got {args.num_envs}')
    if args.eval_every < 0:
        parser.error(f'--eval-every must be >= 0, got {args.eval_every}')
    if args.eval_episodes < 0:
        parser.error(f'--eval-episodes must be >= 0, got {args.eval_episodes}')
    threads = getattr(args, 'intra_op_threads', None)
    if threads is not None and threads < 1:
        parser.error(f'--intra-op-threads must be >= 1, got {threads}')
    if threads is not None and args.distributed:
        parser.error('--intra-op-threads applies to training in this process; it '
                     'cannot be combined with --distributed')


class _LearnerLog:
    """The learner's logger: remembers its update count from every write and
    passes at most one write a second to the files (set once they exist)."""

    def __init__(self):
        self.sinks: List[Any] = []
        self.updates: Optional[int] = None
        self._last = -np.inf

    def write(self, data) -> None:
        steps = data.get('steps')
        if steps is not None:
            self.updates = int(steps)
        now = time.monotonic()
        if self.sinks and now - self._last >= LEARNER_LOG_SECONDS:
            self._last = now
            from troupe.components import loggers
            row = loggers.to_numpy(dict(data))
            for sink in self.sinks:
                sink.write(row)

    def close(self) -> None:
        for sink in self.sinks:
            sink.close()


class _EpisodeMeans:
    """Passes the mean of each key over the episodes of every `seconds` interval
    (and their count, at the latest env step) to `to`: TensorBoard summaries cost
    far more than an episode of a small environment."""

    def __init__(self, to, keys: Sequence[str], seconds: float = EPISODE_SUMMARY_SECONDS):
        self._to = to
        self._keys = tuple(keys)
        self._seconds = seconds
        self._sums = dict.fromkeys(self._keys, 0.0)
        self._count = 0
        self._steps = 0
        self._last = time.monotonic()

    def write(self, data) -> None:
        for key in self._keys:
            self._sums[key] += float(np.sum(data[key]))
        self._count += 1
        self._steps = int(data['steps'])
        if time.monotonic() - self._last >= self._seconds:
            self.flush()

    def flush(self) -> None:
        if self._count:
            row = {key: total / self._count for key, total in self._sums.items()}
            row.update(episodes_in_mean=self._count, steps=self._steps)
            self._to.write(row)
        self._sums = dict.fromkeys(self._keys, 0.0)
        self._count = 0
        self._last = time.monotonic()

    def close(self) -> None:
        self.flush()
        self._to.close()


def _resolve_budget(args, entry, num_envs=None) -> Dict[str, Optional[int]]:
    if args.steps is None and args.episodes is None:
        steps, episodes = entry.budget(args.env, num_envs)
    else:
        steps, episodes = args.steps, args.episodes
    return {'steps': steps, 'episodes': episodes}


def run(args: argparse.Namespace) -> int:
    from troupe.cli import resume
    if args.resume is not None:
        args = resume.resumed_args(args)
    if args.distributed:
        from troupe.cli import distributed
        return distributed.run(args)
    from troupe.agents import registry

    entry = registry.get(args.agent)
    num_envs = getattr(args, 'num_envs', None)
    if num_envs is not None:
        registry.check_num_envs(entry, num_envs)
    overrides = common.parse_assignments(args.config, '--config')
    env_overrides = common.parse_assignments(args.env_config, '--env-config')
    preset = entry.preset(args.env, num_envs)
    config = entry.resolve(args.env, overrides, seed=args.seed, num_envs=num_envs)
    env_kwargs = dict(entry.environment_kwargs(args.env), **env_overrides)
    budget = _resolve_budget(args, entry, num_envs)
    logdir = args.resume if args.resume is not None else common.prepare_logdir(args)
    from troupe.components import run_checkpoints
    checkpoint = None
    if args.resume is not None:
        checkpoint = resume.find_checkpoint(logdir)

    from troupe.components import devices
    devices.set_cpu_threads(intra_op=getattr(args, 'intra_op_threads', None))
    import tensorflow as tf

    import troupe

    tf.random.set_seed(resume.operation_seed(args.seed, checkpoint))
    np.random.seed(args.seed)
    environment = common.make_training_environment(args.env, args.seed, env_kwargs, num_envs)
    try:
        spec = troupe.make_environment_spec(environment)
        entry.check_can_act(args.env, spec)
        learner_log = _LearnerLog()
        built = registry.build(
            entry, spec, config, learner_log, num_envs=num_envs,
            replay_checkpointer=run_checkpoints.replay_checkpointer(
                resume.checkpoint_directory(logdir), checkpoint))
    except BaseException:
        environment.close()
        raise
    try:
        return _train(args, entry, built, environment, config.to_json(), overrides,
                      env_kwargs, budget, logdir, learner_log, preset, checkpoint)
    finally:
        built.close()
        environment.close()


def _train(args, entry, built, environment, hyperparameters, overrides, env_kwargs,
           budget, logdir, learner_log, preset, checkpoint=None) -> int:
    """Wires the run's files and loop, resumes from `checkpoint` if given,
    trains, then writes and prints the results."""
    del entry
    if args.resume is not None:
        _cut_logs(logdir, checkpoint)
        if checkpoint is None:  # Started again from step 0: with a fresh learner too.
            _drop_learner_checkpoints(logdir)
    run = _wire(args, built, environment, hyperparameters, overrides, env_kwargs,
                budget, logdir, learner_log, preset)
    if args.resume is not None:
        _restore(run, checkpoint)
    interrupted = _loop(run, budget, args.eval_every)
    return _finish(run, interrupted)


class _Run:
    """What one training run is wired from: its built agent, loop, loggers,
    progress line, checkpointer and evaluations."""

    def __init__(self, **parts):
        self.__dict__.update(parts)

    def learner_updates(self) -> Optional[int]:
        updates = self.built.learner_updates
        return updates if updates is not None else self.learner_log.updates

    def evaluate(self) -> Optional[Dict[str, float]]:
        """A greedy evaluation now (not counted as training time), logged."""
        args = self.args
        if args.eval_episodes == 0:
            return None
        start = time.monotonic()
        returns = common.evaluate_policy(self.built, args.env, self.evaluation_seed,
                                         self.env_kwargs, args.eval_episodes)
        self.progress.exclude(time.monotonic() - start)
        result = {'env_steps': self.progress.steps, 'episodes': self.progress.episodes,
                  'mean_return': float(np.mean(returns)),
                  'std_return': float(np.std(returns)),
                  'min_return': float(np.min(returns)),
                  'max_return': float(np.max(returns))}
        self.evaluator_logger.write(result)
        self.evaluations.append(result)
        return result


def _wire(args, built, environment, hyperparameters, overrides, env_kwargs, budget,
          logdir, learner_log, preset) -> _Run:
    """Writes config.json, makes the loggers, checkpointer, progress line and
    loop, and says what will run."""
    import troupe
    from troupe.agents import registry
    from troupe.cli import rundir
    from troupe.cli.progress import Progress, StepCountingActor
    from troupe.components import counting, loggers

    os.makedirs(logdir, exist_ok=True)
    num_envs = getattr(args, 'num_envs', None)
    actions = registry.describe_actions(troupe.make_environment_spec(environment))
    if args.resume is None:  # A resumed run keeps its own config.json.
        rundir.write_json(os.path.join(logdir, rundir.CONFIG_FILE), {
            'format_version': rundir.FORMAT_VERSION,
            'troupe_version': troupe.__version__,
            'command': 'troupe ' + ' '.join(shlex.quote(a) for a in getattr(args, 'argv', ())),
            'agent': args.agent, 'env': args.env, 'env_kwargs': env_kwargs,
            'seed': args.seed, 'num_envs': num_envs,
            'intra_op_threads': getattr(args, 'intra_op_threads', None),
            'budget': budget,
            'eval_every': args.eval_every, 'eval_episodes': args.eval_episodes,
            'evaluation_seed': args.seed + EVALUATION_SEED_OFFSET,
            'preset': preset.source or None, 'overrides': registry.to_json(overrides),
            'hyperparameters': hyperparameters,
            'actions': actions,
        })

    def file_loggers(label: str, steps_key: str, means_of: Optional[Sequence[str]] = None):
        csv_logger = loggers.CSVLogger(logdir, label=label, add_uid=False)
        tensorboard = loggers.TensorBoardLogger(rundir.tensorboard_dir(logdir, label),
                                                label=label, steps_key=steps_key)
        if means_of is not None:
            tensorboard = _EpisodeMeans(tensorboard, means_of)
        return [csv_logger, tensorboard]

    learner_log.sinks = file_loggers('learner', 'steps') if built.learner else []
    run = _Run(args=args, built=built, logdir=logdir, env_kwargs=env_kwargs,
               learner_log=learner_log, evaluations=[],
               evaluation_seed=args.seed + EVALUATION_SEED_OFFSET,
               evaluator_logger=loggers.Dispatcher(
                   file_loggers('evaluator', 'env_steps')),
               episodes_log=loggers.InMemoryLogger(), num_envs=num_envs)
    run.checkpointer = (rundir.make_checkpointer(logdir, dict(built.checkpoint_objects))
                        if built.checkpoint_objects else None)
    run.progress = Progress(budget['steps'], budget['episodes'], run.learner_updates,
                            periodic=lambda: _periodic_save(run))
    means_of = ('episode_return', 'episode_length', 'steps_per_second')
    if num_envs is not None:  # Env steps/s of all copies too.
        means_of += ('batch_steps_per_second',)
    run.actor_logger = loggers.TeamReturnFilter(loggers.Dispatcher(
        [run.episodes_log, run.progress] + file_loggers('actor', 'steps',
                                                        means_of=means_of)))
    if num_envs is None:
        actor, observers = built.actor, [run.progress]
    else:  # Observers would be copied per copy: the actor counts for Progress.
        actor, observers = StepCountingActor(built.actor, run.progress, num_envs), []
    loop_counter = counting.Counter()
    run.loop = troupe.EnvironmentLoop(environment, actor, counter=loop_counter,
                                      logger=run.actor_logger, label='actor',
                                      observers=observers)
    from troupe.cli import resume
    from troupe.components import random_state, run_checkpoints
    # The environments' and the actor's numpy generators (exploration noise,
    # resets), so a resumed run draws what the uninterrupted one would have.
    randomness = random_state.RandomState({'environment': environment,
                                           'actor': built.actor})
    run.run_checkpointer = run_checkpoints.RunCheckpointer(
        resume.checkpoint_directory(logdir),
        dict(built.checkpoint_objects, **built.run_state, loop_counter=loop_counter,
             progress=run.progress, evaluations=resume.ListState(run.evaluations),
             random_state=randomness),
        optional=('random_state',),
        replay_client=built.replay_client, before_save=built.flush_replay_writes,
        period_seconds=args.checkpoint_every)

    what = (f'{budget["steps"]:,} env steps' if budget['steps']
            else f'{budget["episodes"]:,} episodes')
    copies = ''
    if num_envs is not None:
        copies = (' on 1 copy' if num_envs == 1 else
                  f' on {num_envs} copies (seeds {args.seed}-{args.seed + num_envs - 1})')
    print(f'Training {args.agent} on {args.env!r} ({actions}) for {what}, '
          f'seed {args.seed}{copies}' + (f'; preset from {preset.source}'
                                         if preset.source else '') + '.', flush=True)
    if overrides:
        print('Overrides: ' + ', '.join(f'{k}={v!r}' for k, v in overrides.items()),
              flush=True)
    print(f'Run directory: {logdir}', flush=True)
    return run


def _periodic_save(run: _Run) -> None:
    if run.checkpointer is not None:
        run.checkpointer.save()
    run.run_checkpointer.maybe_save(lambda: _log_positions(run))


def _log_positions(run: _Run) -> Dict[str, Any]:
    """The rows each CSV log holds now (flushed), for a resumed run to cut back to."""
    from troupe.cli import resume, rundir
    for logger in (run.actor_logger, run.evaluator_logger, run.learner_log):
        flush = getattr(logger, 'flush', None)
        if flush is not None:
            flush()
    return {'csv_rows': {label: resume.count_rows(rundir.csv_path(run.logdir, label))
                         for label in resume.LABELS},
            'env_steps': run.progress.steps, 'episodes': run.progress.episodes}


def _cut_logs(logdir: str, checkpoint) -> None:
    """Before a resumed run opens its logs: cut them back to the checkpoint."""
    from troupe.cli import resume
    rows = checkpoint.metadata['csv_rows'] if checkpoint is not None else {}
    dropped = resume.cut_logs(logdir, rows)
    if checkpoint is None:
        print(f'{logdir!r} holds no checkpoint yet (the run stopped before its first '
              'save): starting it again from step 0.', flush=True)
    if any(dropped.values()):
        print('Dropped the log rows written after the checkpoint: '
              + ', '.join(f'{label} {n}' for label, n in dropped.items() if n), flush=True)


def _drop_learner_checkpoints(logdir: str) -> None:
    """Removes LOGDIR/checkpoints/learner, which the learner would otherwise
    restore on construction: a run started again from step 0 (killed before its
    first whole-run checkpoint) must not continue an older learner's weights,
    optimiser and update count beside an empty replay and zero counts."""
    from troupe.cli import rundir
    shutil.rmtree(os.path.join(logdir, 'checkpoints', rundir.CHECKPOINT_SUBDIRECTORY),
                  ignore_errors=True)


def _restore(run: _Run, checkpoint) -> None:
    """Restores a resumed run's state and says where it continues from."""
    from troupe.cli import resume
    if checkpoint is None:
        return
    run.run_checkpointer.restore(checkpoint)
    run.episodes_log.data[:] = resume.episode_rows(run.logdir)
    replay = ''
    if run.built.replay_client is not None:
        sizes = {name: int(info.current_size)
                 for name, info in run.built.replay_client.server_info().items()}
        expected = checkpoint.replay_sizes
        if sizes != expected:
            raise RuntimeError(f'The replay restored from {checkpoint.path!r} holds '
                               f'{sizes} items, not the {expected} it was saved with.')
        replay = ', replay ' + ', '.join(f'{name} {n:,} items' for name, n in sizes.items())
    print(f'Resumed from checkpoint {checkpoint.number}: {run.progress.steps:,} env '
          f'steps, {run.progress.episodes:,} episodes{replay}.', flush=True)


def _loop(run: _Run, budget, every: int) -> bool:
    """Trains to the budget, evaluating every `every` env steps (0: never);
    returns whether it was interrupted (Ctrl-C)."""
    progress, loop = run.progress, run.loop

    def finished() -> bool:
        if budget['episodes']:
            return progress.episodes >= budget['episodes']
        return progress.steps >= budget['steps']

    # A resumed run continues the schedule (its evaluations so far were restored).
    next_evaluation = (progress.steps // every + 1) * every if every else None
    try:
        while not finished():
            if budget['episodes']:
                loop.run(num_episodes=1 if every else budget['episodes'])
            else:
                target = min(next_evaluation or budget['steps'], budget['steps'])
                loop.run(num_steps=max(target - progress.steps, 1))
            if every and progress.steps >= next_evaluation and not finished():
                run.evaluate()
                next_evaluation = (progress.steps // every + 1) * every
    except KeyboardInterrupt:
        return True
    return False


def _finish(run: _Run, interrupted: bool) -> int:
    """Saves, evaluates, writes results.json and the curve, prints the summary."""
    from troupe.cli import rundir
    from troupe.environments.multiagent import team_return

    args, progress = run.args, run.progress
    progress.finish()
    seconds = progress.seconds
    if run.checkpointer is not None:
        run.checkpointer.save(force=True)
    run.run_checkpointer.save(_log_positions(run))
    final = None if interrupted else run.evaluate()

    rows = run.episodes_log.data
    steps = np.asarray([row['steps'] for row in rows], dtype=np.float64)
    returns = np.asarray([team_return(row['episode_return']) for row in rows])
    results = {
        'env_steps': progress.steps, 'episodes': progress.episodes,
        'num_envs': run.num_envs, 'train_seconds': seconds,
        'env_steps_per_second': progress.steps / seconds if seconds > 0 else None,
        'learner_updates': run.learner_updates(),
        'last_episodes_mean_return': progress.recent_return,
        'final_evaluation': final, 'evaluations': run.evaluations,
        'interrupted': interrupted,
    }
    rundir.write_json(os.path.join(run.logdir, rundir.RESULTS_FILE), results)
    for logger in (run.actor_logger, run.evaluator_logger, run.learner_log):
        logger.close()

    _print_summary(args, results, steps, returns, run.evaluation_seed)
    if not args.no_plot and steps.size:
        path = _write_curve(args, run.logdir, steps, returns, run.evaluations)
        print(f'Learning curve: {path}')
    print(f'Logs, checkpoints and config: {run.logdir}  (troupe evaluate {run.logdir})')
    return 130 if interrupted else 0


def _print_summary(args, results, steps, returns, evaluation_seed) -> None:
    """How long training took, the learning curve as text and the evaluation."""
    from troupe.cli.progress import format_duration
    from troupe.components import plotting

    seconds, updates = results['train_seconds'], results['learner_updates']
    print(f'{"Stopped" if results["interrupted"] else "Trained"} {args.agent} on '
          f'{args.env!r}: {results["env_steps"]:,} env steps, '
          f'{results["episodes"]:,} episodes in {format_duration(seconds)} '
          f'({seconds:.1f} s, {results["env_steps"] / max(seconds, 1e-9):,.0f} steps/s'
          + (f', {updates:,} learner updates' if updates is not None else '') + ').')
    print('Learning curve (mean return of the episodes ending in each tenth of the '
          'run):')
    for line in plotting.text_learning_curve(steps, returns):
        print('  ' + line)
    final = results['final_evaluation']
    if final is not None:
        print(f'Evaluation ({common.policy_name(args.agent)}, '
              f'{common.plural(args.eval_episodes, "episode")}, seed {evaluation_seed}): '
              f'return {final["mean_return"]:.2f} ± {final["std_return"]:.2f}')


def _write_curve(args, logdir, steps, returns, evaluations) -> str:
    """LOGDIR/learning_curve.png: episode returns, their moving average and the
    evaluations."""
    from troupe.cli import rundir
    from troupe.components import plotting

    evaluation_points = None
    if evaluations:
        evaluation_points = (np.array([e['env_steps'] for e in evaluations]),
                             np.array([e['mean_return'] for e in evaluations]))
    return plotting.plot_learning_curves(
        {f'{args.agent} on {args.env}': [plotting.Run(
            steps, returns, evaluations=evaluation_points)]},
        os.path.join(logdir, rundir.CURVE_FILE),
        title=f'{args.agent} on {args.env} (seed {args.seed})')
