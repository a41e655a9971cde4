"""`troupe evaluate LOGDIR`: rebuild a trained agent, restore it, and measure it.

The agent is rebuilt from LOGDIR/config.json (same agent, hyperparameters,
environment arguments and seed), its learner state restored from the latest
checkpoint in LOGDIR/checkpoints/learner, and its evaluation actor (greedy, no
exploration) run on an environment seeded like the evaluation at the end of
training, so the same number of episodes gives the same returns.
"""

import argparse
import os
from typing import List

import numpy as np

from troupe import errors

DEFAULT_FPS = 30.0


def add_parser(commands) -> None:
    """Adds the `evaluate` command to the `troupe` parser's subcommands."""
    evaluate = commands.add_parser(
        'evaluate', help='restore a trained agent and report its greedy return',
        description='Rebuild the agent of LOGDIR from its config.json, restore the '
                    'latest checkpoint and run its evaluation (greedy) actor.')
    evaluate.add_argument('logdir', metavar='LOGDIR', help='a `troupe train` run directory')
    evaluate.add_argument('--episodes', type=int, default=10, metavar='N')
    evaluate.add_argument('--seed', type=int, default=None, metavar='S',
                          help='environment seed (default: the one training '
                               'evaluated with)')
    evaluate.add_argument('--video', metavar='FILE',
                          help='write the first episode as a video (.mp4, .gif or .npz)')
    evaluate.add_argument('--fps', type=float, default=DEFAULT_FPS,
                          help=f'frames per second of the video (default {DEFAULT_FPS:g})')
    evaluate.set_defaults(handler=run, check=check)


def check(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    if args.episodes < 1:
        parser.error(f'--episodes must be >= 1, got {args.episodes}')
    from troupe.cli import common
    common.check_positive_number(parser, '--fps', args.fps)  # A rate: finite and > 0.
    common.check_seed(parser, '--seed', args.seed)


class FrameRecorder:
    """An `EnvironmentLoop` observer keeping the rendered frames of the first episode."""

    def __init__(self):
        self.frames: List[np.ndarray] = []
        self._episodes = 0

    def observe_first(self, env, timestep) -> None:
        self._episodes += 1
        self._record(env)

    def observe(self, env, timestep, action) -> None:
        self._record(env)

    def _record(self, env) -> None:
        if self._episodes != 1:
            return
        try:
            frame = env.render()
        except Exception as error:  # E.g. gymnasium without pygame.
            raise errors.InvalidInput(f'The environment cannot render a video: '
                             f'{type(error).__name__}: {error}') from error
        self.frames.append(np.asarray(frame, dtype=np.uint8))

    def get_metrics(self) -> dict:
        return {}


def restore(logdir: str):
    """(config, agent entry, built agent, environment) of LOGDIR, restored.

    The caller closes the agent (`built.close()`) and the environment.

    Raises:
      ValueError: for a directory without config.json or without a checkpoint
        (unless the agent learns nothing), or an unknown agent.
    """
    import tensorflow as tf

    import troupe
    from troupe.agents import registry
    from troupe.cli import rundir

    config = rundir.read_config(logdir)
    entry = registry.get(config['agent'])
    seed = int(config['seed'])
    tf.random.set_seed(seed)
    np.random.seed(seed)
    environment = registry.make_environment(config['env'], seed,
                                            config.get('env_kwargs', {}))
    built = None
    try:
        spec = troupe.make_environment_spec(environment)
        built = registry.build(entry, spec,
                               entry.config_from_json(config['hyperparameters']))
        if built.checkpoint_objects:
            rundir.latest_checkpoint(logdir)  # Raises if there is none.
            rundir.make_checkpointer(logdir, dict(built.checkpoint_objects))
    except BaseException:
        if built is not None:
            built.close()
        environment.close()
        raise
    return config, entry, built, environment


def run(args: argparse.Namespace) -> int:
    from troupe.cli import rundir
    from troupe.cli.common import evaluate_policy, plural, policy_name
    from troupe.environments.wrappers import video

    if args.video:
        extension = os.path.splitext(args.video)[1].lstrip('.').lower()
        if extension not in video.FORMATS:
            raise errors.InvalidInput(f'--video {args.video!r}: unknown format {extension!r}; '
                             f'expected a file ending in .{", .".join(video.FORMATS)}.')
    config, _, built, environment = restore(args.logdir)
    environment.close()
    try:
        results = rundir.read_results(args.logdir)
        where = (os.path.basename(rundir.latest_checkpoint(args.logdir))
                 if built.checkpoint_objects else 'no checkpoint (nothing learns)')
        facts = []
        if built.learner_updates is not None:
            facts.append(f'{built.learner_updates:,} learner updates')
        if results.get('env_steps') is not None:
            facts.append(f'{results["env_steps"]:,} env steps of training')
        print(f'Restored {config["agent"]} on {config["env"]!r} from {args.logdir} '
              f'({where}' + (', ' + ', '.join(facts) if facts else '') + ').',
              flush=True)
        seed = args.seed if args.seed is not None else int(config.get(
            'evaluation_seed', int(config['seed']) + 10_000))
        recorder = FrameRecorder() if args.video else None
        returns = evaluate_policy(built, config['env'], seed,
                                  config.get('env_kwargs', {}), args.episodes,
                                  observers=[recorder] if recorder else ())
    finally:
        built.close()
    print(f'Evaluation ({policy_name(config["agent"])}, '
          f'{plural(args.episodes, "episode")}, seed {seed}): return '
          f'{np.mean(returns):.2f} ± {np.std(returns):.2f} '
          f'(min {np.min(returns):.2f}, max {np.max(returns):.2f})')
    if recorder is not None:
        directory = os.path.dirname(os.path.abspath(args.video))
        os.makedirs(directory, exist_ok=True)
        video.write_video(args.video, recorder.frames, args.fps)
        print(f'Video of the first episode: {args.video} ({len(recorder.frames)} '
              f'frames at {args.fps:g} fps)')
    return 0

