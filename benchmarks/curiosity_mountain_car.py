"""DQN with and without an intrinsic reward on MountainCar (discrete actions,
−1 per step, the flag at 0.5, 200-step episodes): episodes until the first
success (an episode that reaches the flag) within a budget of episodes, per seed.

The variants share one DQN config (`BASE` below); 'rnd' and 'icm' add
`intrinsic_reward` with `--intrinsic-scale` (ICM needs one-step transitions,
so its variant uses n_step=1; the others n_step=3). A run that never reaches
the flag counts as "not within the budget" (None in the results).
Results: benchmarks/results/curiosity_mountain_car.json.

Usage: python benchmarks/curiosity_mountain_car.py [--seeds 0 1 2]
         [--episodes 100] [--variants dqn rnd] [--intrinsic-scale 1.0]
         [--epsilon-decay-steps 2000]
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

EPISODE_STEPS = 200

# One learner call of 4 updates of 64 transitions every 16 env steps, after 1,000
# steps; ε from 1 to 0.05 over the first 2,000 steps (10 episodes), so that
# later exploration is the agent's own (`--epsilon-decay-steps` changes it).
BASE = dqn.DQNConfig(batch_size=64, samples_per_insert=16.0, min_replay_size=1000,
                     updates_per_call=4, n_step=3,
                     epsilon=dqn.LinearEpsilon(1.0, 0.05, 2_000),
                     learning_rate=1e-3, target_update_period=200, discount=0.99,
                     max_gradient_norm=10.0, hidden_sizes=(64, 64))


def config_for(variant: str, intrinsic_scale: float,
               epsilon_decay_steps: int) -> dqn.DQNConfig:
    """The DQN config of a variant: 'dqn', 'rnd' or 'icm'."""
    config = BASE.replace(epsilon=dqn.LinearEpsilon(1.0, 0.05, epsilon_decay_steps))
    if variant == 'dqn':
        return config
    changes = dict(intrinsic_reward=variant, intrinsic_scale=intrinsic_scale)
    if variant == 'icm':
        changes['n_step'] = 1
    return config.replace(**changes)


def run(variant: str, seed: int, episodes: int, intrinsic_scale: float,
        epsilon_decay_steps: int) -> dict:
    """One run: the episode of the first success, successes and the wall time."""
    tf.random.set_seed(seed)
    env = environments.make('mountain_car', seed=seed,
                            max_episode_steps=EPISODE_STEPS)
    spec = troupe.make_environment_spec(env)
    config = config_for(variant, intrinsic_scale, epsilon_decay_steps).replace(seed=seed)
    learner_log = loggers.InMemoryLogger()
    agent = dqn.DQN(spec, config=config, checkpoint=False, logger=learner_log)
    log = loggers.InMemoryLogger()
    start = time.perf_counter()
    try:
        troupe.EnvironmentLoop(env, agent, logger=log).run(num_episodes=episodes)
    finally:
        agent.close()
    seconds = time.perf_counter() - start
    # An episode shorter than the limit ended at the flag (one that reaches it
    # on exactly the last step is counted as a failure: rare, and conservative).
    lengths = [int(row['episode_length']) for row in log.data]
    successes = [i + 1 for i, length in enumerate(lengths) if length < EPISODE_STEPS]
    bonus = [float(row['intrinsic_bonus']) for row in learner_log.data
             if 'intrinsic_bonus' in row]
    reward = [float(row['intrinsic_reward']) for row in learner_log.data
              if 'intrinsic_reward' in row]
    return {'variant': variant, 'seed': seed,
            'first_success_episode': successes[0] if successes else None,
            'successes': len(successes), 'episodes': len(lengths),
            'env_steps': int(sum(lengths)), 'learner_updates': agent.learner.num_updates,
            'seconds': round(seconds, 1),
            'mean_bonus_first_logged': bonus[0] if bonus else None,
            'mean_bonus_last_logged': bonus[-1] if bonus else None,
            'mean_intrinsic_reward_first_logged': reward[0] if reward else None,
            'mean_intrinsic_reward_last_logged': reward[-1] if reward else None}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--episodes', type=int, default=100)
    parser.add_argument('--variants', nargs='+', default=['dqn', 'rnd'],
                        choices=['dqn', 'rnd', 'icm'])
    parser.add_argument('--intrinsic-scale', type=float, default=1.0)
    parser.add_argument('--epsilon-decay-steps', type=int, default=2_000)
    parser.add_argument('--name', default='curiosity_mountain_car',
                        help='the results file name (without .json)')
    args = parser.parse_args(argv)
    if args.episodes < 1:
        parser.error(f'--episodes must be >= 1, got {args.episodes}')
    runs = []
    for variant in args.variants:
        for seed in args.seeds:
            result = run(variant, seed, args.episodes, args.intrinsic_scale,
                         args.epsilon_decay_steps)
            runs.append(result)
            print(result, flush=True)
    summary = {}
    for variant in args.variants:
        firsts = [r['first_success_episode'] for r in runs if r['variant'] == variant]
        found = [f for f in firsts if f is not None]
        summary[variant] = {
            'first_success_episodes': firsts,
            'seeds_with_a_success': len(found),
            'median_first_success_of_those': float(np.median(found)) if found else None}
    print(summary)
    path = common.write_results(args.name, {
        'budget_episodes': args.episodes, 'episode_steps': EPISODE_STEPS,
        'intrinsic_scale': args.intrinsic_scale,
        'epsilon_decay_steps': args.epsilon_decay_steps, 'base_config': BASE.to_json(),
        'runs': runs, 'summary': summary})
    print(f'wrote {path}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
