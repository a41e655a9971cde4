"""How much does troupe's EnvironmentLoop + FeedForwardActor add to a policy call?

Runs, in one process and one run, on the built-in CartPole with a Sonnet MLP
64-64 greedy policy:
  (troupe) EnvironmentLoop(env, FeedForwardActor(policy)).run(num_steps=N)
  (a)      a bare Python loop: env.reset/step and the same tf.function policy
  (a')     the same bare loop calling a concrete function (the leanest TF call)
  (b)      the tf.function policy call alone, N times
and prints steps/s and the ratios. Goal: troupe within 1.2x of (a).
Acme's TF FeedForwardActor loop measured ~1,400 steps/s on CartPole on this
kind of 2-core machine (figure from the project's issue, not re-run here).

Usage: python benchmarks/loop_overhead.py [--steps 20000] [--repeats 3]
"""

import argparse
import os
import sys

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sonnet as snt  # noqa: E402
import tensorflow as tf  # noqa: E402

import troupe  # noqa: E402
from troupe import environments  # noqa: E402
from troupe.components import actors, counting, loggers  # noqa: E402
import common  # noqa: E402

ACME_CARTPOLE_STEPS_PER_SECOND = 1400


def make_policy(num_actions: int) -> snt.Module:
    mlp = snt.nets.MLP([64, 64, num_actions])
    return snt.Sequential([mlp, lambda q: tf.argmax(q, axis=-1, output_type=tf.int32)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--steps', type=int, default=20000)
    parser.add_argument('--repeats', type=int, default=3)
    args = parser.parse_args()
    n = args.steps

    env = environments.make('cartpole', seed=0)
    spec = troupe.make_environment_spec(env)
    network = make_policy(spec.actions.num_values)
    obs_spec = tf.TensorSpec(spec.observations.shape, tf.as_dtype(spec.observations.dtype))

    @tf.function(input_signature=[obs_spec])
    def policy(observation):
        return network(observation[None])[0]

    concrete = policy.get_concrete_function()

    def bare_loop(call):
        def run():
            timestep = env.reset()
            for _ in range(n):
                if timestep.last():
                    timestep = env.reset()
                timestep = env.step(call(timestep.observation).numpy())
            return n
        return run

    def policy_alone():
        observation = env.reset().observation
        for _ in range(n):
            policy(observation).numpy()
        return n

    actor = actors.FeedForwardActor(network)
    loop = troupe.EnvironmentLoop(env, actor, counter=counting.Counter(),
                                  logger=loggers.NoOpLogger())

    # Warm up every path (tracing, first allocations).
    bare_loop(policy)()
    bare_loop(concrete)()
    loop.run(num_steps=1000)

    results = {
        'troupe_loop': common.rate(lambda: loop.run(num_steps=n), args.repeats),
        'bare_loop_tf_function': common.rate(bare_loop(policy), args.repeats),
        'bare_loop_concrete_function': common.rate(bare_loop(concrete), args.repeats),
        'policy_call_alone': common.rate(policy_alone, args.repeats),
    }
    troupe_sps = results['troupe_loop']['median']
    bare_sps = results['bare_loop_tf_function']['median']
    print(f'{"path":32s} {"steps/s (median)":>18s} {"best":>10s}')
    for name, r in results.items():
        print(f'{name:32s} {r["median"]:18,.0f} {r["best"]:10,.0f}')
    ratio = bare_sps / troupe_sps
    print(f'\ntroupe time per step / bare loop (a): {ratio:.3f} (goal <= 1.2)')
    print(f'troupe / bare concrete loop (a\'): '
          f'{troupe_sps / results["bare_loop_concrete_function"]["median"]:.3f}')
    print(f'troupe / policy call alone (b): '
          f'{troupe_sps / results["policy_call_alone"]["median"]:.3f}')
    print(f'troupe / Acme (~{ACME_CARTPOLE_STEPS_PER_SECOND} steps/s): '
          f'{troupe_sps / ACME_CARTPOLE_STEPS_PER_SECOND:.2f}x')
    path = common.write_results('loop_overhead', {
        'steps': n, 'results': results, 'troupe_time_per_step_over_bare_loop': ratio,
        'acme_reference_steps_per_second': ACME_CARTPOLE_STEPS_PER_SECOND})
    print(f'results written to {os.path.relpath(path)}')


if __name__ == '__main__':
    main()
