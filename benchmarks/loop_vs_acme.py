"""troupe's acting loops beside Acme 0.4.0's, in one run: env steps/s on CartPole.

Runs, alternating, `--repeats` times each:
  (acme)         Acme 0.4.0's `EnvironmentLoop` + TF `FeedForwardActor`, in the
                 Python given by `--acme-python` (a virtual environment with
                 Acme installed; see below), on troupe's own CartPole (troupe is
                 put on that interpreter's path), so only the loop and actor
                 differ;
  (troupe, tf)   `troupe.EnvironmentLoop` + `FeedForwardActor(inference='tensorflow')`;
  (troupe)       the same with the actor's numpy inference path, which agents
                 take by default for small policies;
  (troupe, N)    the batched loop on N = 16 CartPole copies, numpy inference.
Each policy is the same Sonnet MLP 64-64 with a greedy argmax, freshly
initialised; its weights never change, so troupe's loops do not call the actor's
`update()` (`should_update=False`: with no variable client the numpy path would
re-read the weights at every call; Acme's `update()` without a client does
nothing). Prints env steps/s (median of the repeats) and the ratios to Acme.
Goals (issue 14): one environment >= 2.5x Acme; 16 copies >= 30,000 env steps/s.

Without `--acme-python` the script says so and prints troupe's figures alone.
The Acme environment (never a dependency of troupe): a virtual environment with
the pinned TF stack plus `gym==0.25.2 jax==0.4.23 jaxlib==0.4.23 pillow`, then
`pip install --no-deps dm-acme==0.4.0 trfl==1.2.0`. Acme imports launchpad,
which has no wheel for Python 3.11; the Acme side puts a stand-in module
(`register_stop_handler`/`unregister_stop_handler`) in `sys.modules` first.

Usage: python benchmarks/loop_vs_acme.py [--acme-python PATH] [--steps 20000]
         [--repeats 3] [--copies 16]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Runs in the Acme interpreter: argv = steps, repeats; prints one JSON line.
ACME_RUN = r'''
import json, sys, time, types
stand_in = types.ModuleType('launchpad')
stand_in.register_stop_handler = lambda handler: None
stand_in.unregister_stop_handler = lambda handler: None
sys.modules['launchpad'] = stand_in
import acme
from acme import specs
from acme.agents.tf import actors
import sonnet as snt
import tensorflow as tf
from troupe import environments

steps, repeats = int(sys.argv[1]), int(sys.argv[2])
env = environments.make('cartpole', seed=0)
num_actions = specs.make_environment_spec(env).actions.num_values
network = snt.Sequential([snt.nets.MLP([64, 64, num_actions]),
                          lambda q: tf.argmax(q, axis=-1, output_type=tf.int32)])
actor = actors.FeedForwardActor(network)
loop = acme.EnvironmentLoop(env, actor, logger=types.SimpleNamespace(
    write=lambda data: None, close=lambda: None))

def run(n):
    start = time.perf_counter()
    done = 0
    while done < n:  # Acme's run(num_steps) finishes whole episodes.
        done += loop.run_episode()['episode_length']
    return done / (time.perf_counter() - start)

run(1000)  # Tracing and first allocations.
print(json.dumps({'acme_version': acme.__version__,
                  'runs': [run(steps) for _ in range(repeats)]}))
'''


def run_acme(python: str, steps: int):
    """One Acme measurement in its own interpreter: (env steps/s, Acme's version)."""
    env = dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL='2')
    result = subprocess.run([python, '-c', ACME_RUN, str(steps), '1'],
                            capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise SystemExit(f'The Acme run failed:\n{result.stderr[-3000:]}')
    found = json.loads(result.stdout.strip().splitlines()[-1])
    return found['runs'][0], found['acme_version']


def make_policy(action_spec):
    """The MLP 64-64 with a greedy argmax (the module troupe's agents use, so
    the numpy path can translate it)."""
    import sonnet as snt
    from troupe.components import networks
    return networks.GreedyPolicy(snt.nets.MLP([64, 64, action_spec.num_values]),
                                 action_spec)


def troupe_loops(copies: int):
    """name -> (a function of n that runs that loop n env steps and returns its
    env steps/s, the actor's inference path)."""
    import troupe
    from troupe import environments
    from troupe.components import actors, counting, loggers

    def single(inference):
        env = environments.make('cartpole', seed=0)
        spec = troupe.make_environment_spec(env)
        actor = actors.FeedForwardActor(make_policy(spec.actions), inference=inference)
        return troupe.EnvironmentLoop(env, actor, counter=counting.Counter(),
                                      logger=loggers.NoOpLogger(),
                                      should_update=False), actor

    def batched():
        env = environments.BatchedEnvironment('cartpole', copies, seed=0)
        spec = troupe.make_environment_spec(environments.make('cartpole', seed=0))
        actor = actors.FeedForwardActor(make_policy(spec.actions), batched=True,
                                        inference='numpy')
        return troupe.EnvironmentLoop(env, actor, counter=counting.Counter(),
                                      logger=loggers.NoOpLogger(),
                                      should_update=False), actor

    loops = {'troupe (tf)': single('tensorflow'), 'troupe (numpy)': single('numpy'),
             f'troupe, {copies} copies': batched()}

    def timed(loop):
        def run(n):
            start = time.perf_counter()
            done = loop.run(num_steps=n)
            return done / (time.perf_counter() - start)
        return run

    runs = {}
    for name, (loop, actor) in loops.items():
        loop.run(num_steps=1000)  # Tracing and first allocations.
        runs[name] = (timed(loop), actor.inference)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--acme-python', metavar='PATH',
                        help="the Python of a virtual environment with Acme 0.4.0")
    parser.add_argument('--steps', type=int, default=20000)
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--copies', type=int, default=16)
    args = parser.parse_args()
    for name in ('steps', 'repeats', 'copies'):
        if getattr(args, name) < 1:
            parser.error(f'--{name} must be >= 1, got {getattr(args, name)}')
    if args.acme_python is None:
        print('No --acme-python given: Acme is not run, troupe\'s figures alone.')
    elif not os.path.exists(args.acme_python):
        parser.error(f'--acme-python {args.acme_python!r} does not exist')

    loops = troupe_loops(args.copies)
    runs = {name: [] for name in loops}
    acme_version = None
    if args.acme_python:
        runs['acme'] = []
    for repeat in range(args.repeats):
        if args.acme_python:
            rate, acme_version = run_acme(args.acme_python, args.steps)
            runs['acme'].append(rate)
        for name, (loop, _) in loops.items():
            runs[name].append(loop(args.steps))
        print(f'repeat {repeat + 1}: ' + ', '.join(
            f'{name} {values[-1]:,.0f}' for name, values in runs.items()), flush=True)

    medians = {name: statistics.median(values) for name, values in runs.items()}
    print(f'\n{"loop":24s} {"env steps/s (median)":>22s}  runs')
    for name, values in runs.items():
        ratio = (f'  {medians[name] / medians["acme"]:.2f}x Acme'
                 if 'acme' in medians and name != 'acme' else '')
        print(f'{name:24s} {medians[name]:22,.0f}  '
              + ' / '.join(f'{v:,.0f}' for v in values) + ratio)
    results = {'machine': common.machine(), 'steps': args.steps, 'copies': args.copies,
               'runs': runs, 'medians': medians,
               'inference': {name: inference for name, (_, inference) in loops.items()}}
    if 'acme' in medians:
        results['acme_version'] = acme_version
        results['ratios_to_acme'] = {name: medians[name] / medians['acme']
                                     for name in loops}
    print('written', common.write_results('loop_vs_acme', results))


if __name__ == '__main__':
    main()
