"""Env steps/s of the EnvironmentLoop acting on a batch of N CartPoles with one
policy call per batch step, beside the single-environment loop.

Runs, in one process and one run, on the built-in CartPole with a Sonnet MLP
64-64 greedy policy (the network of loop_overhead.py):
  (single)  EnvironmentLoop(env, FeedForwardActor(policy)).run(num_steps=S)
  (N)       EnvironmentLoop(BatchedEnvironment('cartpole', N),
                            FeedForwardActor(policy, batched=True)).run(...)
            for N = 1, 2, 4, 8, 16, 32, in-process stepping
  (call N)  the batched policy's concrete function alone on N observations
and prints env steps/s (all copies), the ratio to the single loop and the cost
of one batched policy call. Goal (issue 7): >= 10,000 env steps/s at N = 16.
Acme's TF single-environment loop measured ~1,400 steps/s on CartPole on this
kind of 2-core machine (figure from the project's issue, not re-run here).
`--processes K` adds N = 16 and 32 with the copies stepped in K worker
processes (the pool is meant for expensive environments; for CartPole it shows
the pool's overhead).

Usage: python benchmarks/vectorised_loop.py [--steps 10000] [--repeats 3]
"""

import argparse
import os
import sys
import time

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import sonnet as snt  # noqa: E402
import tensorflow as tf  # noqa: E402

import troupe  # noqa: E402
from troupe import environments  # noqa: E402
from troupe.components import actors, counting, loggers  # noqa: E402
import common  # noqa: E402

ACME_CARTPOLE_STEPS_PER_SECOND = 1400
GOAL_N, GOAL_STEPS_PER_SECOND = 16, 10_000
BATCH_SIZES = (1, 2, 4, 8, 16, 32)


def make_policy(num_actions: int) -> snt.Module:
    mlp = snt.nets.MLP([64, 64, num_actions])
    return snt.Sequential([mlp, lambda q: tf.argmax(q, axis=-1, output_type=tf.int32)])


def make_loop(environment, actor) -> troupe.EnvironmentLoop:
    return troupe.EnvironmentLoop(environment, actor, counter=counting.Counter(),
                                  logger=loggers.NoOpLogger())


def call_seconds(actor, num_envs: int, calls: int = 300) -> float:
    """Median seconds of one batched policy call (the actor's concrete function)."""
    observations = np.zeros((num_envs, 4), np.float32)
    actor.select_action(observations)
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        actor.select_action(observations)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--steps', type=int, default=10000,
                        help='env steps per timed run (x (1 + N // 8) for batches)')
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--processes', type=int, default=0,
                        help='also time N = 16, 32 stepped in this many workers')
    args = parser.parse_args()

    spec = troupe.make_environment_spec(environments.make('cartpole'))
    network = make_policy(spec.actions.num_values)
    load_before = os.getloadavg()

    single = make_loop(environments.make('cartpole', seed=0),
                       actors.FeedForwardActor(network))
    single.run(num_steps=1000)  # Warm up (tracing, first allocations).
    results = {'single': common.rate(lambda: single.run(num_steps=args.steps),
                                     args.repeats)}

    configurations = [(n, False) for n in BATCH_SIZES]
    if args.processes:
        configurations += [(16, args.processes), (32, args.processes)]
    call_us = {}
    for num_envs, processes in configurations:
        env = environments.BatchedEnvironment('cartpole', num_envs, seed=0,
                                              processes=processes)
        actor = actors.FeedForwardActor(network, batched=True)
        loop = make_loop(env, actor)
        steps = args.steps * (1 + num_envs // 8)
        loop.run(num_steps=max(1000, 50 * num_envs))  # Warm up.
        name = f'batch_{num_envs}' + (f'_processes_{processes}' if processes else '')
        results[name] = common.rate(lambda: loop.run(num_steps=steps), args.repeats)
        results[name]['num_envs'] = num_envs
        results[name]['processes'] = processes
        if not processes:
            call_us[num_envs] = 1e6 * call_seconds(actor, num_envs)
        env.close()

    single_sps = results['single']['median']
    print(f'{"loop":26s} {"env steps/s":>12s} {"best":>9s} {"vs single":>10s} '
          f'{"batch steps/s":>14s} {"policy call":>12s}')
    print(f'{"single environment":26s} {single_sps:12,.0f} '
          f'{results["single"]["best"]:9,.0f} {1.0:10.2f}x')
    for name, r in results.items():
        if name == 'single':
            continue
        n = r['num_envs']
        r['ratio_to_single'] = r['median'] / single_sps
        r['batch_steps_per_second'] = r['median'] / n
        call = f'{call_us[n]:9.0f} µs' if not r['processes'] else ''
        label = f'N = {n}' + (f', {r["processes"]} workers' if r['processes'] else '')
        print(f'{label:26s} {r["median"]:12,.0f} {r["best"]:9,.0f} '
              f'{r["ratio_to_single"]:10.2f}x {r["batch_steps_per_second"]:14,.0f} '
              f'{call:>12s}')
    goal = results[f'batch_{GOAL_N}']['median']
    print(f'\nN = {GOAL_N}: {goal:,.0f} env steps/s (goal >= {GOAL_STEPS_PER_SECOND:,}: '
          f'{"met" if goal >= GOAL_STEPS_PER_SECOND else "not met"}); '
          f'{goal / ACME_CARTPOLE_STEPS_PER_SECOND:.1f}x Acme\'s single-environment '
          f'~{ACME_CARTPOLE_STEPS_PER_SECOND:,} steps/s')
    load_after = os.getloadavg()
    print(f'load average (1 min) before / after: {load_before[0]:.1f} / '
          f'{load_after[0]:.1f} on {os.cpu_count()} CPUs')
    path = common.write_results('vectorised_loop', {
        'steps': args.steps, 'results': results,
        'policy_call_microseconds': {str(n): us for n, us in call_us.items()},
        'goal': {'num_envs': GOAL_N, 'env_steps_per_second': GOAL_STEPS_PER_SECOND},
        'acme_reference_steps_per_second': ACME_CARTPOLE_STEPS_PER_SECOND,
        'load_average_before_after': [load_before[0], load_after[0]]})
    print(f'results written to {os.path.relpath(path)}')


if __name__ == '__main__':
    main()
