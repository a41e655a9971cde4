"""DQN with DQNAtariNetwork on Pong (ALE/Pong-v5 through AtariWrapper): a smoke run.

Runs a few thousand environment steps with learning switched on early, checks
that nothing fails, that the replay table never holds more than the configured
`max_replay_size` items, and prints steps/s, updates and the table's size.

Usage: python benchmarks/dqn_atari_smoke.py [--steps 3000] [--max-replay-size 2000]
"""

import argparse
import os
import sys
import time

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import reverb  # noqa: E402
import tensorflow as tf  # noqa: E402

import troupe  # noqa: E402
from troupe import environments  # noqa: E402
from troupe.agents import dqn  # noqa: E402
from troupe.components import loggers  # noqa: E402
import common  # noqa: E402


class ReplaySizeObserver:
    """Reads the replay table's size every `period` steps; keeps the maximum."""

    def __init__(self, address: str, table: str, period: int = 250):
        self._client = reverb.Client(address)
        self._table = table
        self._period = period
        self._steps = 0
        self.max_size = 0

    def _read(self):
        size = self._client.server_info()[self._table].current_size
        self.max_size = max(self.max_size, size)

    def observe_first(self, env, timestep):
        del env, timestep

    def observe(self, env, timestep, action):
        del env, timestep, action
        self._steps += 1
        if self._steps % self._period == 0:
            self._read()

    def get_metrics(self):
        self._read()
        return {'replay_size': self.max_size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--env', default='gym:ALE/Pong-v5')
    parser.add_argument('--steps', type=int, default=3000)
    parser.add_argument('--max-replay-size', type=int, default=2000)
    args = parser.parse_args()
    tf.random.set_seed(0)
    if args.env.startswith('gym:'):
        from troupe.environments import wrappers
        env = wrappers.AtariWrapper(environments.make(
            args.env, seed=0, frameskip=1, repeat_action_probability=0.25))
    else:
        env = environments.make(args.env, seed=0)
    spec = troupe.make_environment_spec(env)
    print(f'observations {spec.observations.shape} {spec.observations.dtype}, '
          f'{spec.actions.num_values} actions', flush=True)
    agent = dqn.DQN(spec, dqn.make_atari_network(spec), batch_size=32,
                    samples_per_insert=8.0, min_replay_size=500,
                    max_replay_size=args.max_replay_size, n_step=3,
                    epsilon=dqn.LinearEpsilon(1.0, 0.1, args.steps),
                    learning_rate=1e-4, target_update_period=500, reward_clip=1.0,
                    max_gradient_norm=10.0, checkpoint=False,
                    logger=loggers.NoOpLogger())
    observer = ReplaySizeObserver(agent.server_address, agent.config.replay_table_name)
    log = loggers.InMemoryLogger()
    loop = troupe.EnvironmentLoop(env, agent, logger=log, observers=[observer])
    start = time.perf_counter()
    steps = loop.run(num_steps=args.steps)
    seconds = time.perf_counter() - start
    updates = agent.learner.num_updates
    agent.close()
    bounded = observer.max_size <= args.max_replay_size
    print(f'{steps} steps in {seconds:.1f} s ({steps / seconds:.0f} steps/s), '
          f'{len(log.data)} episodes, {updates} updates; largest replay size seen '
          f'{observer.max_size} (max_replay_size {args.max_replay_size}: '
          f'{"bounded" if bounded else "EXCEEDED"})', flush=True)
    print('wrote', common.write_results('dqn_atari_smoke', {
        'env': args.env, 'steps': steps, 'seconds': seconds, 'updates': updates,
        'episodes': len(log.data), 'max_replay_size': args.max_replay_size,
        'largest_replay_size_seen': observer.max_size, 'bounded': bounded}))
    if not bounded:
        raise SystemExit(1)


if __name__ == '__main__':
    main()
