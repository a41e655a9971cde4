"""DQN's per-step budget: where the time of a training env step goes, beside the
floor of each part measured alone on the same machine in the same run.

The loop is `troupe train dqn --env cartpole`'s agent (the CartPole preset:
256-256 MLP, batch 64, 8 updates per learner call; `--num-envs 8` the 8-copy
preset) in one process. After `--warmup` env steps the script times, per env
step of the next `--steps`: the policy call, env.step, the adder's writes, the
learner's steps (sampling, updates, priority writes, target copies) and the
rest (the loop, the actor's bookkeeping, weight refreshes). The floors, each
measured alone: one env step; one policy call in TF and, where troupe has it,
in numpy; one adder write; a batch of 64 sampled from Reverb through the
learner's dataset; 64 rows gathered from a numpy ring buffer; one update of
the same network on a fixed batch (no sampling), alone and 8 fused in one
call; one priority write of 64 keys.

The script runs on any troupe version (options it does not have are skipped),
so running it on the code before a change, in the same session, gives the
"before" column: `PYTHONPATH=<old checkout> python benchmarks/dqn_budget.py`.

Usage: python benchmarks/dqn_budget.py [--num-envs 8] [--steps 10000]
         [--warmup 3000] [--inference auto|tensorflow] [--name NAME]
"""

import argparse
import copy
import os
import subprocess
import sys
import time

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import reverb  # noqa: E402
import tensorflow as tf  # noqa: E402

import common  # noqa: E402
import troupe  # noqa: E402
from troupe import environments  # noqa: E402
from troupe.agents import dqn  # noqa: E402
from troupe.agents.local import LocalAgent  # noqa: E402
from troupe.components import actors, loggers  # noqa: E402


class Timer:
    """Wraps `owner.name` so that its calls' wall time adds up in `seconds`."""

    def __init__(self, owner, name: str):
        self.seconds, self.calls = 0.0, 0
        function = getattr(owner, name)

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start
                self.calls += 1
        setattr(owner, name, timed)


def per_call_us(fn, calls: int, repeats: int = 3) -> float:
    """The best of `repeats` mean wall times of `fn()` in µs."""
    fn()
    best = float('inf')
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - start) / calls * 1e6)
    return best


def inner_actor(agent):
    actor = agent._actor  # pylint: disable=protected-access
    return getattr(actor, '_actor', actor)  # Inside a ScheduledActor.


def make_environment(num_envs: int, seed: int = 0):
    if num_envs:
        return environments.BatchedEnvironment('cartpole', num_envs, seed=seed)
    return environments.make('cartpole', seed=seed)


def loop_budget(args, config) -> dict:
    """Per-env-step µs of each part of the training loop."""
    tf.random.set_seed(0)
    environment = make_environment(args.num_envs)
    spec = troupe.make_environment_spec(environments.make('cartpole'))
    agent = LocalAgent(dqn.DQNBuilder(config), spec, num_envs=args.num_envs or None,
                       logger=loggers.NoOpLogger())
    actor = inner_actor(agent)
    if args.inference != 'auto':
        if not hasattr(actor, '_inference'):
            raise SystemExit(f'this troupe has no inference={args.inference!r}')
        actor._inference = args.inference  # pylint: disable=protected-access
    loop = troupe.EnvironmentLoop(environment, agent, logger=loggers.NoOpLogger())
    loop.run(num_steps=args.warmup)
    timers = {'policy call': Timer(actor, 'select_action'),
              'env step': Timer(environment, 'step'),
              'adder writes': Timer(actor._adder, 'add'),  # pylint: disable=protected-access
              'learner steps': Timer(agent._learner, 'step')}  # pylint: disable=protected-access
    updates_before = agent.learner.num_updates
    start, cpu = time.perf_counter(), time.process_time()
    steps = loop.run(num_steps=args.steps)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    updates = agent.learner.num_updates - updates_before
    budget = {name: t.seconds / steps * 1e6 for name, t in timers.items()}
    budget['rest'] = wall / steps * 1e6 - sum(budget.values())
    inference = getattr(actor, 'inference', None) or 'tensorflow'
    agent.close()
    return {'env_steps': steps, 'wall_seconds': wall, 'cpu_seconds': cpu,
            'us_per_env_step': budget, 'total_us_per_env_step': wall / steps * 1e6,
            'learner_updates': updates, 'updates_per_second': updates / wall,
            'us_per_update_in_learner_steps':
                timers['learner steps'].seconds / max(updates, 1) * 1e6,
            'policy_inference': inference}


def floors(args, config) -> dict:
    """Each part alone (see the module docstring), in µs."""
    result = {}
    spec = troupe.make_environment_spec(environments.make('cartpole'))
    environment = make_environment(args.num_envs)
    timestep = environment.reset()
    action = np.zeros(args.num_envs, np.int64) if args.num_envs else np.int64(0)

    def env_step():
        nonlocal timestep
        timestep = environment.step(action)
        if not args.num_envs and timestep.last():
            timestep = environment.reset()
    result['env step'] = per_call_us(env_step, 2000)

    builder = dqn.DQNBuilder(config)
    server = reverb.Server(builder.make_replay_tables(spec), port=None)
    address = f'localhost:{server.port}'
    client = reverb.Client(address)
    adder = builder.make_adder(client)
    single = environments.make('cartpole', seed=0)
    step = single.reset()
    adder.add_first(step)
    rng = np.random.default_rng(0)

    def add():
        nonlocal step
        act = np.int64(rng.integers(2))
        step = single.step(act)
        adder.add(act, step)
        if step.last():
            step = single.reset()
            adder.add_first(step)
    result['adder write (one env)'] = per_call_us(add, 2000)
    for _ in range(20000):
        add()

    networks = builder.make_networks(spec)
    policy = builder.make_policy(networks, spec)
    observation = (timestep.observation if args.num_envs
                   else np.asarray(timestep.observation))
    for mode in ('tensorflow', 'numpy'):
        try:
            ff = actors.FeedForwardActor(policy, batched=bool(args.num_envs),
                                         inference=mode)
        except TypeError:
            continue  # No numpy path in this troupe.
        result[f'policy call ({mode})'] = per_call_us(
            lambda: ff.select_action(observation), 1000)

    iterator = builder.make_dataset_iterator(address)

    @tf.function
    def pull():
        return next(iterator).info.key
    result['Reverb sample of 64 (dataset)'] = per_call_us(pull, 200)

    size = 100_000
    ring = {'observation': np.zeros((size, 4), np.float32),
            'next_observation': np.zeros((size, 4), np.float32),
            'action': np.zeros(size, np.int64), 'reward': np.zeros(size, np.float32),
            'discount': np.zeros(size, np.float32)}
    result['numpy ring buffer sample of 64'] = per_call_us(
        lambda: {k: v[rng.integers(size, size=64)] for k, v in ring.items()}, 2000)

    learner = builder.make_learner(networks, iterator, spec,
                                   replay_client=client, logger=loggers.NoOpLogger())
    sample = next(iterator)
    learner.step()
    one = lambda: learner._sgd_step(sample)  # noqa: E731

    @tf.function
    def eight():
        for _ in range(8):
            learner._sgd_step(sample)
    result['update alone (one per call)'] = per_call_us(one, 100)
    result['update alone (8 per call, per update)'] = per_call_us(eight, 30) / 8
    # The whole learner step (8 updates: sampling, updates, priority writes).
    result['learner.step alone, per update'] = per_call_us(learner.step, 60) / 8
    tf_client = reverb.TFClient(address)
    priorities = tf.ones([64], tf.float64)

    @tf.function
    def write():
        tf_client.update_priorities(config.replay_table_name, sample.info.key,
                                    priorities)
    result['priority write of 64'] = per_call_us(write, 200)
    server.stop()
    return result


def troupe_commit() -> str:
    """The commit of the troupe checkout that ran (with '+changes' if dirty)."""
    where = os.path.dirname(os.path.dirname(os.path.abspath(troupe.__file__)))
    try:
        commit = subprocess.run(['git', '-C', where, 'rev-parse', '--short', 'HEAD'],
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(['git', '-C', where, 'status', '--porcelain', 'troupe'],
                               capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return 'unknown'
    return commit + ('+changes' if dirty else '')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--num-envs', type=int, default=0,
                        help='0: one environment (the single-env preset)')
    parser.add_argument('--steps', type=int, default=10_000)
    parser.add_argument('--warmup', type=int, default=3000)
    parser.add_argument('--inference', default='auto', choices=('auto', 'tensorflow'))
    parser.add_argument('--name', default=None, help='results file name')
    parser.add_argument('--floors-only', action='store_true',
                        help='skip the training loop')
    common.add_intra_op_threads_argument(parser)
    args = parser.parse_args()
    common.apply_intra_op_threads(parser, args)
    config = (dqn.presets.CARTPOLE_VECTORISED if args.num_envs
              else dqn.presets.CARTPOLE)
    config = copy.copy(config)
    results = {'machine': common.machine(), 'troupe_commit': troupe_commit(),
               'num_envs': args.num_envs, 'inference': args.inference,
               'loop': None if args.floors_only else loop_budget(args, config),
               'floors_us': floors(args, config)}
    loop = results['loop'] or {}
    if loop:
        print_loop(args, loop)
    print('floors, each alone (µs per call):')
    for name, value in results['floors_us'].items():
        print(f'  {name:<40} {value:8.1f}')
    name = args.name or f"dqn_budget_{args.num_envs or 1}env"
    print('written', common.write_results(name, results))


def print_loop(args, loop) -> None:
    print(f"\n{loop['env_steps']:,} env steps ({args.num_envs or 1} env"
          f"{'s' if args.num_envs else ''}, policy in {loop['policy_inference']}): "
          f"{loop['wall_seconds']:.1f} s wall, {loop['cpu_seconds']:.1f} s CPU, "
          f"{loop['updates_per_second']:.0f} updates/s")
    print('µs per env step:')
    for name, value in loop['us_per_env_step'].items():
        print(f'  {name:<16} {value:8.1f}')
    print(f"  {'total':<16} {loop['total_us_per_env_step']:8.1f}")
    print(f"learner: {loop['us_per_update_in_learner_steps']:.0f} µs per update "
          'all-in')


if __name__ == '__main__':
    main()
