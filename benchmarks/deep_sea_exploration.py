"""DeepSea exploration: ε-greedy DQN beside bootstrapped DQN with priors.

For each DeepSea size N and seed, both agents train for the same number of
episodes (troupe's built-in `deep_sea`, bsuite's rules: an episode is N steps,
the treasure is reached only by going right N times). Reported per run: the
episode of the first success (treasure reached; None if never), the number of
successes, the fraction of "bad" episodes (without the treasure) over the
whole run, and the episode where the fraction of bad episodes so far first
falls below 0.8 (None if never): bsuite's deep_sea analysis (`find_solution`,
threshold 0.8) counts a size solved at that episode, and scores it when that
is before episode 2^N + 100. This script applies the same rule to its own
episode log; it does not run bsuite's code.

Both agents share bsuite's boot_dqn training settings (batch 128, one update
per env step, one-step targets, 50-50 MLPs, Adam 1e-3, target copies every 4
updates, a replay of 10,000 from 128), so the budget is the same in updates.
DQN explores ε-greedily (ε from 1 to 0.05 over the first 1,000 steps, its
default prioritized replay); bootstrapped DQN with its defaults (10 members,
prior scale 3, masks p = 1, ε 0).

Usage: python benchmarks/deep_sea_exploration.py [--sizes 10 14 20]
         [--episodes 300] [--seeds 0] [--agents dqn bootstrapped_dqn]
Results: benchmarks/results/deep_sea_exploration.json
"""

import argparse
import os
import sys
import time

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tensorflow as tf  # noqa: E402

import troupe  # noqa: E402
from troupe.agents import bootstrapped_dqn, dqn  # noqa: E402
from troupe.components import loggers  # noqa: E402
from troupe.environments import DeepSea  # noqa: E402
import common  # noqa: E402

_SHARED = dict(batch_size=128, samples_per_insert=128.0, min_replay_size=128,
               max_replay_size=10_000, n_step=1, discount=0.99, learning_rate=1e-3,
               hidden_sizes=(50, 50))
CONFIGS = {
    'dqn': dqn.DQNConfig(**_SHARED, target_update_period=4,
                         epsilon=dqn.LinearEpsilon(1.0, 0.05, 1000)),
    'bootstrapped_dqn': bootstrapped_dqn.BootstrappedDQNConfig(**_SHARED),
}
SOLVED_THRESHOLD = 0.8  # bsuite's deep_sea find_solution threshold.
AGENTS = {'dqn': dqn.DQN, 'bootstrapped_dqn': bootstrapped_dqn.BootstrappedDQN}


def run(agent_name: str, size: int, episodes: int, seed: int) -> dict:
    """One agent on DeepSea `size` for `episodes` episodes."""
    tf.random.set_seed(seed)
    environment = DeepSea(size, seed=seed)
    spec = troupe.make_environment_spec(environment)
    agent = AGENTS[agent_name](spec, config=CONFIGS[agent_name].replace(seed=seed),
                               logger=loggers.NoOpLogger(), checkpoint=False)
    log = loggers.InMemoryLogger()
    start = time.perf_counter()
    try:
        troupe.EnvironmentLoop(environment, agent, logger=log).run(num_episodes=episodes)
    finally:
        agent.close()
    seconds = time.perf_counter() - start
    successes = [row['episode_return'] > 0.5 for row in log.data]
    first = next((i + 1 for i, ok in enumerate(successes) if ok), None)
    bad, solved = 0, None
    for episode, ok in enumerate(successes, start=1):
        bad += not ok
        if solved is None and bad / episode < SOLVED_THRESHOLD:
            solved = episode
    return {'agent': agent_name, 'size': size, 'seed': seed, 'episodes': episodes,
            'first_success_episode': first, 'successes': int(sum(successes)),
            'bad_episode_fraction': 1.0 - sum(successes) / len(successes),
            'solved_episode': solved,
            'solved_in_time': solved is not None and solved < 2 ** size + 100,
            'seconds': round(seconds, 1), 'updates': agent.learner.num_updates}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--sizes', type=int, nargs='+', default=[10, 14, 20])
    parser.add_argument('--episodes', type=int, default=300)
    parser.add_argument('--seeds', type=int, nargs='+', default=[0])
    parser.add_argument('--agents', nargs='+', default=list(AGENTS), choices=list(AGENTS))
    parser.add_argument('--name', default='deep_sea_exploration')
    args = parser.parse_args(argv)
    runs = []
    for size in args.sizes:
        for seed in args.seeds:
            for name in args.agents:
                result = run(name, size, args.episodes, seed)
                runs.append(result)
                print(result, flush=True)
    results = {'machine': common.machine(), 'episodes': args.episodes,
               'configs': {name: CONFIGS[name].to_json() for name in args.agents},
               'runs': runs}
    print('written to', common.write_results(args.name, results))
    return results


if __name__ == '__main__':
    main()
