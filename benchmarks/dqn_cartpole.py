"""DQN on the built-in CartPole-v1: greedy evaluation return after <= 50,000 steps.

Goal: greedy evaluation return (mean of 10 episodes) >= 475 within 50,000
environment steps in at least 4 of 5 seeds, with the training wall time of those
steps <= 60 s on a 2-core machine. Stable-Baselines3's tuned DQN reached 500 in 2
of 3 seeds at 50k steps taking 90-280 s on this kind of machine (figures from
the project's issue, not re-run here). The agent is evaluated every
`--eval-every` steps; evaluation time is not counted as training time.

Usage: python benchmarks/dqn_cartpole.py [--seeds 0 1 2 3 4] [--steps 50000]
"""

import argparse
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

SB3_SECONDS = (90, 280)
GOAL_RETURN = 475.0

# Close to rl-zoo's tuned CartPole DQN (batch 64, 0.5 updates per step, 256-256
# network, ε annealed over the first 16% of 50k steps, lr 2.3e-3), with troupe's
# double-Q, n-step returns and prioritized replay. Kept in the agent registry's
# presets (`dqn.presets.CARTPOLE`) so that `troupe train dqn --env cartpole` uses
# the same settings.
CONFIG = dqn.presets.CARTPOLE


def evaluate(agent, seed: int, episodes: int = 10) -> float:
    env = environments.make('cartpole', seed=seed)
    loop = troupe.EnvironmentLoop(env, agent.make_evaluation_actor(),
                                  should_update=False, logger=loggers.NoOpLogger())
    return float(np.mean([loop.run_episode()['episode_return'] for _ in range(episodes)]))


def run(seed: int, steps: int, eval_every: int) -> dict:
    tf.random.set_seed(seed)
    env = environments.make('cartpole', seed=seed)
    spec = troupe.make_environment_spec(env)
    agent = dqn.DQN(spec, config=CONFIG.replace(seed=seed), checkpoint=False,
                    logger=loggers.NoOpLogger())
    loop = troupe.EnvironmentLoop(env, agent, logger=loggers.NoOpLogger())
    train_seconds, taken, evaluations = 0.0, 0, []
    first_solved = None
    while taken < steps:
        start = time.perf_counter()
        taken += loop.run(num_steps=min(eval_every, steps - taken))
        train_seconds += time.perf_counter() - start
        score = evaluate(agent, seed=1000 + seed)
        evaluations.append((taken, score))
        print(f'  seed {seed}: {taken} steps, {train_seconds:.1f} s, greedy return '
              f'{score:.1f}', flush=True)
        if score >= GOAL_RETURN and first_solved is None:
            first_solved = {'steps': taken, 'train_seconds': train_seconds}
    agent.close()
    return {'seed': seed, 'evaluations': evaluations, 'first_solved': first_solved,
            'final_return': evaluations[-1][1], 'train_seconds': train_seconds,
            'steps': taken, 'updates': agent.learner.num_updates}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2, 3, 4])
    parser.add_argument('--steps', type=int, default=50_000)
    parser.add_argument('--eval-every', type=int, default=5_000)
    args = parser.parse_args()
    runs = []
    for seed in args.seeds:
        result = run(seed, args.steps, args.eval_every)
        runs.append(result)
        solved = result['first_solved']
        print(f"seed {seed}: final greedy return {result['final_return']:.1f}; "
              + (f"first >= {GOAL_RETURN:.0f} at {solved['steps']} steps after "
                 f"{solved['train_seconds']:.1f} s" if solved else 'never >= 475')
              + f"; {result['steps']} steps in {result['train_seconds']:.1f} s",
              flush=True)
    solved = [r for r in runs if r['first_solved']]
    print(f'{len(solved)} of {len(runs)} seeds reached a greedy return >= '
          f'{GOAL_RETURN:.0f} within {args.steps} steps (goal: 4 of 5); training '
          f'time per run {min(r["train_seconds"] for r in runs):.1f}-'
          f'{max(r["train_seconds"] for r in runs):.1f} s (goal <= 60 s; '
          f'SB3 {SB3_SECONDS[0]}-{SB3_SECONDS[1]} s)', flush=True)
    print('wrote', common.write_results('dqn_cartpole', {
        'config': CONFIG.to_json(),
        'runs': runs, 'seeds_solved': len(solved), 'goal_return': GOAL_RETURN}))


if __name__ == '__main__':
    main()
