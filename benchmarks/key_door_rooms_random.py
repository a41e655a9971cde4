"""How often a uniformly random policy reaches the goal of the key-door rooms.

Plays `--episodes` episodes of `KeyDoorRooms` (default layout: 4 rooms of
5 x 5, shortest path 30 steps) with uniformly random actions, for each step
limit in `--limits`, and counts the episodes that reach the goal, the ones that
pick up the key, and the distinct (cell, has_key) states seen. Episode e uses
seed e for its actions, so the numbers repeat. The success rates are the ones
quoted in `troupe/environments/key_door_rooms.py` and docs/environments.md.

Usage: python benchmarks/key_door_rooms_random.py [--episodes 10000] [--limits 100 200 1000]
"""

import argparse
import os
import sys
import time

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import common  # noqa: E402
from troupe.environments import key_door_rooms  # noqa: E402


def run(limit: int, episodes: int) -> dict:
    """Random-policy statistics over `episodes` episodes with step limit `limit`."""
    env = key_door_rooms.KeyDoorRooms(max_episode_steps=limit)
    successes = keys = 0
    steps_to_goal = []
    states = set()
    start = time.perf_counter()
    for episode in range(episodes):
        actions = np.random.default_rng(episode).integers(4, size=limit).tolist()
        env.reset()
        for t, action in enumerate(actions):
            timestep = env.step(action)
            states.add(env.position + (env.has_key,))
            if timestep.last():
                break
        keys += env.has_key
        if timestep.reward == 1.0:
            successes += 1
            steps_to_goal.append(t + 1)
    return {'step_limit': limit, 'episodes': episodes, 'successes': successes,
            'success_rate': successes / episodes, 'key_rate': keys / episodes,
            'steps_to_goal': steps_to_goal, 'distinct_states': len(states),
            'shortest_path_length': env.shortest_path_length,
            'seconds': time.perf_counter() - start}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--episodes', type=int, default=10_000)
    parser.add_argument('--limits', type=int, nargs='+', default=[100, 200, 1000])
    args = parser.parse_args()
    results = [run(limit, args.episodes) for limit in args.limits]
    for result in results:
        print(f"step limit {result['step_limit']}: {result['successes']}/{result['episodes']} "
              f"reached the goal ({100 * result['success_rate']:.2f} %), "
              f"{100 * result['key_rate']:.2f} % held the key, "
              f"{result['distinct_states']} distinct states, {result['seconds']:.1f} s")
    print('wrote', common.write_results('key_door_rooms_random', {'runs': results}))


if __name__ == '__main__':
    main()
