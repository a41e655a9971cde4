"""Raw steps/s of troupe's built-in environments beside gymnasium's, in one run.

For every built-in environment: a loop of `step(action)` (and `reset()` after
LAST) with actions drawn beforehand, so only the environment is timed. Where
gymnasium has the same task (CartPole-v1, Pendulum-v1, MountainCarContinuous-v0)
the same loop runs on it wrapped in troupe's `GymnasiumWrapper`, and a bare
gymnasium loop (its own API, no dm_env) is shown for reference.
Goal: built-in CartPole >= 100,000 steps/s and >= 3x the wrapped gymnasium one.

Usage: python benchmarks/env_step.py [--steps 100000] [--repeats 3]
"""

import argparse
import os
import sys

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
from dm_env import specs  # noqa: E402

import common  # noqa: E402
from troupe import environments  # noqa: E402

BUILT_IN = ['cartpole', 'pendulum', 'mountain_car_continuous', 'catch', 'gridworld/simple',
            'deep_sea', 'bandit', 'cooperative_navigation']
GYMNASIUM_PEERS = {'cartpole': 'CartPole-v1', 'pendulum': 'Pendulum-v1',
                   'mountain_car_continuous': 'MountainCarContinuous-v0'}
CARTPOLE_GOAL = 100_000
RATIO_GOAL = 3.0


def draw_actions(spec, count: int, seed: int = 0) -> list:
    """`count` valid actions for `spec`, drawn before timing starts."""
    rng = np.random.default_rng(seed)
    if isinstance(spec, dict):
        per_agent = {key: draw_actions(s, count, seed + i) for i, (key, s) in
                     enumerate(spec.items())}
        return [{key: per_agent[key][t] for key in spec} for t in range(count)]
    if isinstance(spec, specs.DiscreteArray):
        return [int(a) for a in rng.integers(spec.num_values, size=count)]
    return list(rng.uniform(spec.minimum, spec.maximum, (count,) + spec.shape)
                .astype(spec.dtype))


def dm_env_loop(env, actions: list):
    def run() -> int:
        timestep = env.reset()
        for action in actions:
            if timestep.last():
                timestep = env.reset()
            else:
                timestep = env.step(action)
        return len(actions)
    return run


def gymnasium_loop(env, actions: list):
    def run() -> int:
        env.reset(seed=0)
        for action in actions:
            _, _, terminated, truncated, _ = env.step(action)
            if terminated or truncated:
                env.reset()
        return len(actions)
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--steps', type=int, default=100_000)
    parser.add_argument('--repeats', type=int, default=3)
    args = parser.parse_args()
    try:
        import gymnasium
        from troupe.environments.wrappers import GymnasiumWrapper
    except ImportError:
        gymnasium = None
        print('gymnasium is not installed (pip install "troupe[envs]"): built-ins only.')

    rows = []
    results = {}
    for name in BUILT_IN:
        env = environments.make(name, seed=0)
        actions = draw_actions(env.action_spec(), args.steps)
        dm_env_loop(env, actions[:1000])()  # Warm-up.
        ours = common.rate(dm_env_loop(env, actions), args.repeats)['median']
        wrapped = bare = None
        if gymnasium is not None and name in GYMNASIUM_PEERS:
            gym_id = GYMNASIUM_PEERS[name]
            peer = GymnasiumWrapper(gymnasium.make(gym_id), seed=0)
            dm_env_loop(peer, actions[:1000])()
            wrapped = common.rate(dm_env_loop(peer, actions), args.repeats)['median']
            raw = gymnasium.make(gym_id)
            gymnasium_loop(raw, actions[:1000])()
            bare = common.rate(gymnasium_loop(raw, actions), args.repeats)['median']
        results[name] = {'troupe': ours, 'gymnasium_wrapped': wrapped, 'gymnasium_bare': bare}
        rows.append((name, ours, wrapped, bare))

    def fmt(value):
        return f'{value:>14,.0f}' if value is not None else f'{"-":>14}'

    print(f'\nsteps/s, median of {args.repeats} runs of {args.steps:,} steps')
    print(f'{"environment":<26}{"troupe":>14}{"gym+wrapper":>14}{"ratio":>8}'
          f'{"gym bare":>14}')
    for name, ours, wrapped, bare in rows:
        ratio = f'{ours / wrapped:>7.1f}x' if wrapped else f'{"-":>8}'
        print(f'{name:<26}{fmt(ours)}{fmt(wrapped)}{ratio}{fmt(bare)}')

    cartpole = results['cartpole']
    print(f'\nGoal: built-in CartPole >= {CARTPOLE_GOAL:,} steps/s: '
          f'{"met" if cartpole["troupe"] >= CARTPOLE_GOAL else "NOT met"} '
          f'({cartpole["troupe"]:,.0f}).')
    if cartpole['gymnasium_wrapped']:
        ratio = cartpole['troupe'] / cartpole['gymnasium_wrapped']
        print(f'Goal: >= {RATIO_GOAL:.0f}x the wrapped gymnasium CartPole: '
              f'{"met" if ratio >= RATIO_GOAL else "NOT met"} ({ratio:.1f}x).')
    path = common.write_results('env_step', {'steps': args.steps, 'repeats': args.repeats,
                                             'steps_per_second': results})
    print(f'Results written to {os.path.relpath(path)}.')


if __name__ == '__main__':
    main()
