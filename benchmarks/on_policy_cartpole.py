"""The on-policy family (A2C, REINFORCE, IMPALA) on the built-in CartPole-v1.

Each agent trains for `--steps` environment steps in `troupe.EnvironmentLoop`
(one environment; actor and learner alternate in one process, the learner
stepping once per complete batch of sequences in the FIFO queue). Printed per
agent: the learning curve (mean return of each window of `--window` episodes,
with the environment steps at its end), the first step at which a window's mean
reached 475, the mean of the last window, and env steps/s and learner updates/s
over the whole run (acting, environment and learning together).
Every agent runs once per seed of `--seeds`; a summary line per agent gives
each seed's first step at 475 and last-window mean.
Goals (issue 5): A2C reaches a window mean >= 475 within 200,000 steps; REINFORCE
and IMPALA clearly learn (a random policy averages about 22).

Usage: python benchmarks/on_policy_cartpole.py [--agents a2c,reinforce,impala]
           [--steps 200000] [--seeds 0,1,2] [--window 20] [--recurrent-impala]
"""

import argparse
import os
import sys
import time

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import common  # noqa: E402
import troupe  # noqa: E402
from troupe import specs  # noqa: E402
from troupe.agents import a2c, impala, reinforce  # noqa: E402
from troupe.components import loggers  # noqa: E402
from troupe.environments import make  # noqa: E402

SOLVED = 475.0


def make_agent(name: str, spec: specs.EnvironmentSpec, recurrent_impala: bool):
    """The agent `name` with its default hyperparameters and network."""
    quiet = {'checkpoint': False, 'logger': loggers.InMemoryLogger()}
    if name == 'a2c':
        return a2c.A2C(spec, a2c.make_network(spec), **quiet)
    if name == 'reinforce':
        return reinforce.REINFORCE(spec, reinforce.make_network(spec), **quiet)
    if name == 'impala':
        return impala.IMPALA(
            spec, impala.make_network(spec, recurrent=recurrent_impala), **quiet)
    raise ValueError(f'Unknown agent {name!r}; expected a2c, reinforce or impala.')


def learning_curve(returns, lengths, window: int):
    """[(env steps at the window's end, mean return of the window)]."""
    ends = np.cumsum(lengths)
    return [(int(ends[min(i + window, len(returns)) - 1]),
             float(np.mean(returns[i:i + window])))
            for i in range(0, len(returns), window)]


def run(name: str, steps: int, seed: int, window: int, recurrent_impala: bool) -> dict:
    tf.random.set_seed(seed)
    env = make('cartpole', seed=seed)
    spec = specs.make_environment_spec(env)
    agent = make_agent(name, spec, recurrent_impala)
    log = loggers.InMemoryLogger()
    loop = troupe.EnvironmentLoop(env, agent, logger=log)
    start = time.perf_counter()
    try:
        taken = loop.run(num_steps=steps)
    finally:
        agent.close()
    seconds = time.perf_counter() - start
    returns = [float(row['episode_return']) for row in log.data]
    lengths = [int(row['episode_length']) for row in log.data]
    curve = learning_curve(returns, lengths, window)
    solved_at = next((end for end, mean in curve if mean >= SOLVED), None)
    return {
        'agent': name + ('_lstm' if name == 'impala' and recurrent_impala else ''),
        'env_steps': taken, 'episodes': len(returns), 'seconds': seconds,
        'env_steps_per_second': taken / seconds,
        'learner_updates': agent.learner.num_updates,
        'learner_updates_per_second': agent.learner.num_updates / seconds,
        'window': window, 'curve': curve, 'first_step_window_mean_ge_475': solved_at,
        'last_window_mean': curve[-1][1] if curve else None,
        'config': {k: v for k, v in vars(agent.config).items()},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--agents', default='a2c,reinforce,impala')
    parser.add_argument('--steps', type=int, default=200_000)
    parser.add_argument('--seeds', default='0,1,2')
    parser.add_argument('--window', type=int, default=20)
    parser.add_argument('--recurrent-impala', action='store_true')
    args = parser.parse_args()
    seeds = [int(seed) for seed in args.seeds.split(',')]
    results = []
    for name, seed in [(n.strip(), s) for n in args.agents.split(',') for s in seeds]:
        result = run(name, args.steps, seed, args.window,
                     args.recurrent_impala)
        result['seed'] = seed
        results.append(result)
        print(f'\n{result["agent"]} seed {seed}: {result["env_steps"]} steps, '
              f'{result["episodes"]} episodes, {result["seconds"]:.0f} s')
        for end, mean in result['curve']:
            print(f'  steps {end:>7d}  mean return {mean:6.1f}')
        print(f'  first window mean >= {SOLVED:.0f} at step: '
              f'{result["first_step_window_mean_ge_475"]}')
        print(f'  env steps/s {result["env_steps_per_second"]:.0f}, learner '
              f'updates/s {result["learner_updates_per_second"]:.1f}')
    print()
    for name in dict.fromkeys(r['agent'] for r in results):
        runs = [r for r in results if r['agent'] == name]
        print(f'{name}: first window mean >= {SOLVED:.0f} at '
              f'{[r["first_step_window_mean_ge_475"] for r in runs]}, last window '
              f'{[round(r["last_window_mean"], 1) for r in runs]}, env steps/s '
              f'{[round(r["env_steps_per_second"]) for r in runs]}, updates/s '
              f'{[round(r["learner_updates_per_second"], 1) for r in runs]}')
    names = list(dict.fromkeys(r['agent'] for r in results))
    suffix = '' if args.agents == parser.get_default('agents') else '_' + '_'.join(names)
    path = common.write_results('on_policy_cartpole' + suffix, {
        'steps': args.steps, 'seeds': seeds, 'results': results})
    print(f'\nwrote {os.path.relpath(path)}')


if __name__ == '__main__':
    main()
