"""Tabular agents and planners on the grid-world `obstacle` (issue 4's tabular part).

Each learner runs 1e5 steps in `troupe.EnvironmentLoop` on `gridworld/obstacle`
(seed 0); then its greedy policy is rolled out from the start. Printed per
learner: the greedy path length (the shortest is 8 steps; '-' if the goal is not
reached) and steps/s of the whole loop (acting, environment and learning).
Planners: value iteration's V(start) against 10 * 0.9**7 (the goal reward
discounted over the 7 steps before it), and whether policy iteration's greedy
policy equals value iteration's.
Goals: Q-learning and SARSA reach the goal in 8 steps; |V(start) - 10 * 0.9**7| <
1e-6; the two planners agree.

The TD learners start from optimistic values (Q = 10, the goal reward), so a
greedy agent tries what it has not tried; the zero-initialised rows show why:
without it the on-policy learners settle on a longer, well-trodden path within
this budget. Monte Carlo control anneals epsilon from 1 to 0.05 over 5e4 steps.

Usage: python benchmarks/tabular_gridworld.py [--steps 100000] [--seed 0]
"""

import argparse
import os
import sys
import time

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import common  # noqa: E402
import troupe  # noqa: E402
from troupe.agents import tabular  # noqa: E402
from troupe.agents.tabular import planning  # noqa: E402
from troupe.components import loggers  # noqa: E402
from troupe.agents.registry import presets  # noqa: E402
from troupe.environments import make  # noqa: E402

TASK = 'gridworld/obstacle'
SHORTEST_PATH = 8
START_VALUE = 10 * 0.9 ** 7
OPTIMISTIC = presets.TABULAR_OPTIMISTIC  # Shared with `troupe train`.


def learners(steps: int) -> dict:
    """name -> (agent class, keyword arguments)."""
    annealed = {'epsilon': tabular.LinearSchedule(1.0, 0.05, steps // 2)}
    return {
        'q_learning': (tabular.QLearning, OPTIMISTIC),
        'sarsa': (tabular.Sarsa, OPTIMISTIC),
        'expected_sarsa': (tabular.ExpectedSarsa, OPTIMISTIC),
        'monte_carlo_first_visit': (tabular.MonteCarloControl, annealed),
        'monte_carlo_every_visit': (tabular.MonteCarloControl,
                                    {**annealed, 'first_visit': False}),
        'q_learning_replay_10': (tabular.QLearningWithReplay,
                                 {**OPTIMISTIC, 'num_offline_updates': 10}),
        'q_learning_zero_init': (tabular.QLearning, {'epsilon': 0.1}),
        'sarsa_zero_init': (tabular.Sarsa, {'epsilon': 0.1}),
    }


def run_learner(agent_class, kwargs: dict, steps: int, seed: int) -> dict:
    env = make(TASK, seed=seed)
    agent = agent_class(troupe.make_environment_spec(env), seed=seed, **kwargs)
    loop = troupe.EnvironmentLoop(env, agent, logger=loggers.NoOpLogger())
    start = time.perf_counter()
    taken = loop.run(num_steps=steps)
    seconds = time.perf_counter() - start
    length = tabular.greedy_path_length(make(TASK), agent.greedy_policy())
    return {'steps': taken, 'steps_per_second': taken / seconds,
            'greedy_path_length': length}


def run_planners() -> dict:
    env = make(TASK)
    start = int(env.reset().observation)  # The start cell's state index.
    value_iteration = planning.solve_value_iteration(env.model)
    policy_iteration = planning.policy_iteration(env.model)
    return {
        'value_iteration_v_start': float(value_iteration.values[start]),
        'expected_v_start': START_VALUE,
        'abs_error': abs(float(value_iteration.values[start]) - START_VALUE),
        'policy_iteration_v_start': float(policy_iteration.values[start]),
        'policies_agree': bool(np.array_equal(value_iteration.policy,
                                              policy_iteration.policy)),
        'value_iteration_path_length': tabular.greedy_path_length(
                make(TASK), value_iteration.policy),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--steps', type=int, default=100_000)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()

    print(f'{TASK}: {args.steps} steps per learner, seed {args.seed}; '
          f'shortest path {SHORTEST_PATH} steps')
    print(f'{"learner":<26}{"greedy path":>12}{"steps/s":>12}')
    results = {}
    for name, (agent_class, kwargs) in learners(args.steps).items():
        result = run_learner(agent_class, kwargs, args.steps, args.seed)
        results[name] = result
        length = result['greedy_path_length']
        print(f'{name:<26}{"-" if length is None else length:>12}'
              f'{result["steps_per_second"]:>12,.0f}')

    planners = run_planners()
    print(f'value iteration V(start) = {planners["value_iteration_v_start"]:.10f}, '
          f'10 * 0.9**7 = {START_VALUE:.10f}, |error| = {planners["abs_error"]:.2e}')
    print(f'policy iteration V(start) = {planners["policy_iteration_v_start"]:.10f}; '
          f'same greedy policy as value iteration: {planners["policies_agree"]}; '
          f'greedy path {planners["value_iteration_path_length"]} steps')

    goals = {
        'q_learning_path_8': results['q_learning']['greedy_path_length'] == SHORTEST_PATH,
        'sarsa_path_8': results['sarsa']['greedy_path_length'] == SHORTEST_PATH,
        'value_iteration_within_1e-6': planners['abs_error'] < 1e-6,
        'planners_agree': planners['policies_agree'],
    }
    print('goals met:', ', '.join(f'{k}={v}' for k, v in goals.items()))
    path = common.write_results('tabular_gridworld', {
        'task': TASK, 'steps': args.steps, 'seed': args.seed,
        'learners': results, 'planners': planners, 'goals': goals})
    print(f'wrote {os.path.relpath(path)}')


if __name__ == '__main__':
    main()
