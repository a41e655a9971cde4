"""NFQ on the EEML tutorial's `simple` grid with AGENT_GOAL_POS observations.

For each seed: train NFQ (MLP 50-50, the tutorial's first deep agent) for up to 300
episodes; every 10 episodes run the greedy policy once from the start cell and record
whether it reaches the goal (+10) and in how many steps. Prints the first episode at
which the greedy policy reaches the goal, and whether it still does at the end.
Goal (issue 4): the greedy policy reaches the goal within 300 training episodes.

Usage: python benchmarks/nfq_gridworld.py [--seeds 0 1 2] [--episodes 300]
"""

import argparse
import os
import sys
import time

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sonnet as snt  # noqa: E402
import tensorflow as tf  # noqa: E402

import troupe  # noqa: E402
from troupe import environments  # noqa: E402
from troupe.agents import nfq  # noqa: E402
from troupe.components import loggers  # noqa: E402
from troupe.environments import ObservationType  # noqa: E402
import common  # noqa: E402


def grid(seed: int):
    return environments.make('gridworld/simple',
                             observation_type=ObservationType.AGENT_GOAL_POS, seed=seed)


def run_seed(seed: int, episodes: int, eval_every: int) -> dict:
    tf.random.set_seed(seed)
    env = grid(seed)
    spec = troupe.make_environment_spec(env)
    network = snt.nets.MLP([50, 50, spec.actions.num_values])
    agent = nfq.NFQ(spec, network, logger=loggers.NoOpLogger())
    loop = troupe.EnvironmentLoop(env, agent, logger=loggers.NoOpLogger())
    evaluator = troupe.EnvironmentLoop(
        grid(seed + 1000), agent.make_evaluation_actor(),
        should_update=False, logger=loggers.NoOpLogger())
    curve, first_success = [], None
    start = time.perf_counter()
    try:
        for done in range(eval_every, episodes + 1, eval_every):
            loop.run(num_episodes=eval_every)
            result = evaluator.run_episode()
            reached = result['episode_return'] == 10.0
            curve.append((done, float(result['episode_return']),
                          int(result['episode_length'])))
            if reached and first_success is None:
                first_success = done
    finally:
        agent.close()
    return {'seed': seed, 'first_greedy_success_episode': first_success,
            'greedy_reaches_goal_at_end': curve[-1][1] == 10.0,
            'final_greedy_path_length': curve[-1][2], 'curve': curve,
            'seconds': time.perf_counter() - start}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--episodes', type=int, default=300)
    parser.add_argument('--eval-every', type=int, default=10)
    args = parser.parse_args()
    runs = []
    for seed in args.seeds:
        run = run_seed(seed, args.episodes, args.eval_every)
        runs.append(run)
        print(f'seed {seed}: greedy policy first reaches the goal after '
              f'{run["first_greedy_success_episode"]} episodes; at {args.episodes}: '
              f'{"reaches" if run["greedy_reaches_goal_at_end"] else "misses"} it '
              f'in {run["final_greedy_path_length"]} steps ({run["seconds"]:.0f} s)',
              flush=True)
    met = all(r['first_greedy_success_episode'] is not None for r in runs)
    print(f'goal (greedy policy reaches the goal within {args.episodes} episodes): '
          f'{"met" if met else "NOT met"} for seeds {args.seeds}')
    common.write_results('nfq_gridworld', {'episodes': args.episodes, 'runs': runs,
                                           'goal_met': met})


if __name__ == '__main__':
    main()
