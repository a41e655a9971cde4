"""DQN on Catch: learning (3 seeds) and speed (whole agent; learner alone).

Learning: mean return over the last 100 of 500 episodes, per seed; goal >= 0.9
(Acme's TF DQN with its defaults reached 0.12-0.62 here).
Speed: env steps/s of the whole agent (Acme's defaults: batch 256, 32 samples
per insert, so one update every 8 steps) and learner updates/s at batch 256, with
2 and 4 Reverb sampling streams and K = 1, 4, 16 updates per compiled call.
Acme's TF DQN measured 315-363 env steps/s and 183-203 updates/s on this kind of
2-core machine (figures from the project's issue, not re-run here).

Usage: python benchmarks/dqn_catch.py [--mode learn|speed|both] [--seeds 0 1 2]
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import troupe  # noqa: E402
from troupe import environments  # noqa: E402
from troupe.agents import dqn  # noqa: E402
from troupe.components import loggers  # noqa: E402
import common  # noqa: E402

ACME_ENV_STEPS_PER_SECOND = (315, 363)
ACME_UPDATES_PER_SECOND = (183, 203)

# Hyperparameters for a 500-episode (4,500-step) budget, shared with the CLI.
LEARN_CONFIG = dqn.presets.CATCH


def learn(seed: int, episodes: int = 500) -> dict:
    tf.random.set_seed(seed)
    env = environments.make('catch', seed=seed)
    spec = troupe.make_environment_spec(env)
    agent = dqn.DQN(spec, config=LEARN_CONFIG.replace(seed=seed), checkpoint=False,
                    logger=loggers.NoOpLogger())
    log = loggers.InMemoryLogger()
    start = time.perf_counter()
    steps = troupe.EnvironmentLoop(env, agent, logger=log).run(num_episodes=episodes)
    seconds = time.perf_counter() - start
    agent.close()
    returns = [row['episode_return'] for row in log.data]
    return {'seed': seed, 'last100_mean_return': float(np.mean(returns[-100:])),
            'steps': steps, 'seconds': seconds, 'updates': agent.learner.num_updates}


def learner_rate(num_parallel_calls: int, updates_per_call: int,
                 updates: int = 2_000) -> float:
    """The learner alone at batch 256 (Acme's defaults otherwise) on a table of
    5,000 Catch transitions: updates/s with `num_parallel_calls` sampling
    streams and `updates_per_call` updates per compiled call."""
    tf.random.set_seed(0)
    env = environments.make('catch', seed=0)
    spec = troupe.make_environment_spec(env)
    agent = dqn.DQN(spec, dqn.make_mlp_network(spec, (64, 64)), checkpoint=False,
                    logger=loggers.NoOpLogger(), min_replay_size=1000,
                    updates_per_call=updates_per_call,
                    num_parallel_calls=num_parallel_calls)
    try:
        troupe.EnvironmentLoop(env, agent, logger=loggers.NoOpLogger(),
                               should_update=False).run(num_steps=5_000)
        learner = agent.learner
        learner.run(num_steps=max(50 // updates_per_call, 2))  # Compile, warm up.
        calls = max(updates // updates_per_call, 1)
        start = time.perf_counter()
        learner.run(num_steps=calls)
        return calls * updates_per_call / (time.perf_counter() - start)
    finally:
        agent.close()


def speed(steps: int = 20_000, repeats: int = 2) -> dict:
    """Whole agent with Acme's defaults, then its learner alone at batch 256 with
    2 and 4 sampling streams and K = 1, 4, 16 updates per call (interleaved
    repeats, median)."""
    tf.random.set_seed(0)
    env = environments.make('catch', seed=0)
    spec = troupe.make_environment_spec(env)
    agent = dqn.DQN(spec, dqn.make_mlp_network(spec, (64, 64)), checkpoint=False,
                    logger=loggers.NoOpLogger(), min_replay_size=1000,
                    updates_per_call=1)
    loop = troupe.EnvironmentLoop(env, agent, logger=loggers.NoOpLogger())
    loop.run(num_steps=2_000)  # Fill past min_replay_size and compile.
    start = time.perf_counter()
    taken = loop.run(num_steps=steps)
    env_rate = taken / (time.perf_counter() - start)
    agent.close()
    rates = {}
    for _ in range(repeats):
        for streams in (2, 4):
            for k in (1, 4, 16):
                rates.setdefault(f'streams{streams}_K{k}', []).append(
                    learner_rate(streams, k))
    medians = {key: float(np.median(values)) for key, values in rates.items()}
    return {'env_steps_per_second': env_rate,
            'learner_updates_per_second': medians['streams2_K1'],
            'learner_updates_per_second_by_setting': medians,
            'learner_runs': rates, 'load_average': os.getloadavg(),
            'acme_env_steps_per_second': ACME_ENV_STEPS_PER_SECOND,
            'acme_learner_updates_per_second': ACME_UPDATES_PER_SECOND}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--mode', choices=['learn', 'speed', 'both'], default='both')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--episodes', type=int, default=500)
    args = parser.parse_args()
    results = {}
    if args.mode in ('learn', 'both'):
        runs = []
        for seed in args.seeds:
            run = learn(seed, args.episodes)
            runs.append(run)
            print(f"seed {seed}: last-100 mean return {run['last100_mean_return']:.3f} "
                  f"({run['steps']} steps, {run['updates']} updates, "
                  f"{run['seconds']:.1f} s)", flush=True)
        results['learning'] = {'config': LEARN_CONFIG.to_json(),
                               'runs': runs, 'goal': 0.9,
                               'all_seeds_meet_goal': all(
                                   r['last100_mean_return'] >= 0.9 for r in runs)}
    if args.mode in ('speed', 'both'):
        figures = speed()
        print(f"whole agent: {figures['env_steps_per_second']:.0f} env steps/s "
              f"(Acme {ACME_ENV_STEPS_PER_SECOND[0]}-{ACME_ENV_STEPS_PER_SECOND[1]}, "
              f"goal >= 1000); learner alone: "
              f"{figures['learner_updates_per_second']:.0f} updates/s at batch 256 "
              f"from 5,000 items (2 streams, K = 1) "
              f"(Acme {ACME_UPDATES_PER_SECOND[0]}-{ACME_UPDATES_PER_SECOND[1]}, "
              f"goal >= 400)", flush=True)
        for key, value in figures['learner_updates_per_second_by_setting'].items():
            print(f'  learner, {key}: {value:.0f} updates/s', flush=True)
        results['speed'] = figures
    # Keep the other mode's results from an earlier run.
    path = os.path.join(common.RESULTS_DIR, 'dqn_catch.json')
    if os.path.exists(path):
        with open(path) as file:
            previous = json.load(file)
        previous.pop('machine', None)
        results = {**previous, **results}
    print('wrote', common.write_results('dqn_catch', results))


if __name__ == '__main__':
    main()
