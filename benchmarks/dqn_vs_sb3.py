"""troupe's DQN beside Stable-Baselines3's rl-zoo DQN on CartPole-v1, in one run:
training seconds until the greedy return first reaches 475.

One protocol for both: every 1,000 env steps training pauses and the greedy
policy plays 10 evaluation episodes; the clock counts training only (acting,
replay, learning, first traces/compiles), not evaluation. A run stops at its
first evaluation >= 475 or at `--max-steps`. Seeds run one after another,
alternating between the two frameworks, so both see the same machine load.

troupe: the 8-copy agent of benchmarks/dqn_cartpole_vectorised.py (the preset
`troupe train dqn --env cartpole --num-envs 8` uses), and with `--single` also
the one-environment preset. SB3: DQN with the rl-zoo CartPole-v1
hyperparameters (256-256 MLP, lr 2.3e-3, batch 64, buffer 100k, learning from
1,000 steps, γ 0.99, target update every 10 steps, train_freq 256 with 128
gradient steps, ε to 0.04 over the first 16% of 50k steps), torch with 2
threads, on gymnasium's CartPole-v1. SB3 runs in its own virtual environment
(never a dependency of troupe): pass its Python with `--sb3-python`, e.g. after
`python -m venv sb3 && sb3/bin/pip install torch==2.13.0 stable-baselines3
gymnasium` (a CPU build of torch). Without it the script says so and prints
troupe's figures alone. `--hidden` changes the hidden layers of troupe's 8-copy
Q-network (the preset's are SB3's 256-256).

Usage: python benchmarks/dqn_vs_sb3.py [--seeds 0 1 2 3 4] [--sb3-python PATH]
         [--single] [--max-steps 50000] [--hidden 256 256]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common  # noqa: E402
import dqn_cartpole_vectorised as vectorised  # noqa: E402
from troupe.agents import dqn  # noqa: E402

GOAL = 475.0

SB3_RUN = r'''
import json, sys, time
import numpy as np, torch, gymnasium as gym
from stable_baselines3 import DQN
from stable_baselines3.common.callbacks import BaseCallback
seed, max_steps, eval_every, goal = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
torch.set_num_threads(2)

def greedy(model, seed):
    env = gym.make('CartPole-v1')
    returns = []
    for episode in range(10):
        observation, _ = env.reset(seed=seed + episode)
        done, total = False, 0.0
        while not done:
            action, _ = model.predict(observation, deterministic=True)
            observation, reward, terminated, truncated, _ = env.step(action)
            total += reward
            done = terminated or truncated
        returns.append(total)
    return float(np.mean(returns))

class Protocol(BaseCallback):
    def __init__(self):
        super().__init__()
        self.start = None; self.paused = 0.0; self.evaluations = []; self.solved = None
    def _on_training_start(self):
        self.start = time.perf_counter()
    def _on_step(self):
        if self.num_timesteps % eval_every:
            return True
        pause = time.perf_counter()
        score = greedy(self.model, 10_000 + 100 * seed)
        train = pause - self.start - self.paused
        self.paused += time.perf_counter() - pause
        self.evaluations.append((self.num_timesteps, round(train, 3), score))
        if score >= goal:
            self.solved = {'env_steps': self.num_timesteps, 'train_seconds': train}
            return False
        return True

model = DQN('MlpPolicy', gym.make('CartPole-v1'), learning_rate=2.3e-3, batch_size=64,
            buffer_size=100_000, learning_starts=1000, gamma=0.99,
            target_update_interval=10, train_freq=256, gradient_steps=128,
            exploration_fraction=0.16, exploration_final_eps=0.04,
            policy_kwargs=dict(net_arch=[256, 256]), seed=seed, verbose=0)
protocol = Protocol()
model.learn(total_timesteps=max_steps, callback=protocol)
print(json.dumps({'seed': seed, 'solved': protocol.solved,
                  'evaluations': protocol.evaluations}))
'''


def run_sb3(python: str, seed: int, max_steps: int, eval_every: int) -> dict:
    result = subprocess.run([python, '-c', SB3_RUN, str(seed), str(max_steps),
                             str(eval_every), str(GOAL)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f'SB3 run failed:\n{result.stderr[-2000:]}')
    return json.loads(result.stdout.strip().splitlines()[-1])


def describe(label: str, run: dict) -> None:
    solved = run['solved']
    print(f'  {label} seed {run["seed"]}: '
          + (f'>= {GOAL:.0f} after {solved["train_seconds"]:.1f} s, '
             f'{solved["env_steps"]} env steps' if solved else 'never'), flush=True)


def summarise(runs) -> dict:
    times = [r['solved']['train_seconds'] if r['solved'] else float('inf')
             for r in runs]
    median = statistics.median(times)
    return {'seconds_to_goal': [None if t == float('inf') else round(t, 2)
                                for t in times],
            'median_seconds_to_goal': None if median == float('inf') else median,
            'min': min(times), 'max': max(times),
            'seeds_solved': sum(t < float('inf') for t in times),
            'env_steps_to_goal': [r['solved']['env_steps'] if r['solved'] else None
                                  for r in runs]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2, 3, 4])
    parser.add_argument('--sb3-python', default=None,
                        help="the Python of a virtual environment with SB3")
    parser.add_argument('--single', action='store_true',
                        help="also run troupe's one-environment preset")
    parser.add_argument('--max-steps', type=int, default=50_000)
    parser.add_argument('--eval-every', type=int, default=1000)
    parser.add_argument('--hidden', type=int, nargs='+',
                        default=list(vectorised.CONFIG.hidden_sizes),
                        help="hidden layer sizes of troupe's 8-copy Q-network")
    parser.add_argument('--name', default='dqn_vs_sb3')
    args = parser.parse_args()
    config = vectorised.CONFIG.replace(hidden_sizes=tuple(args.hidden))
    if args.sb3_python is None:
        print('No --sb3-python given: Stable-Baselines3 is not run; troupe alone.')
    groups = {'troupe_8_copies': [], 'troupe_single': [], 'sb3_zoo': []}
    for seed in args.seeds:
        run = vectorised.run(seed, vectorised.NUM_ENVS, config,
                             args.eval_every, args.max_steps, after_goal=0)
        groups['troupe_8_copies'].append(run)
        describe('troupe 8 copies', run)
        if args.single:
            run = vectorised.run(seed, 0, dqn.presets.CARTPOLE, args.eval_every,
                                 args.max_steps, after_goal=0)
            groups['troupe_single'].append(run)
            describe('troupe one env', run)
        if args.sb3_python:
            run = run_sb3(args.sb3_python, seed, args.max_steps, args.eval_every)
            groups['sb3_zoo'].append(run)
            describe('SB3 zoo DQN', run)
    summary = {name: summarise(runs) for name, runs in groups.items() if runs}
    print('\ntraining seconds to a greedy 475 (median, [min, max], solved):')
    for name, s in summary.items():
        median = s['median_seconds_to_goal']
        print(f'  {name:<16} {"never" if median is None else f"{median:.1f} s":>8}  '
              f'[{s["min"]:.1f}, {s["max"]:.1f}]  {s["seeds_solved"]}/{len(args.seeds)}')
    if 'sb3_zoo' in summary and summary['sb3_zoo']['median_seconds_to_goal']:
        for name in ('troupe_8_copies', 'troupe_single'):
            if name in summary and summary[name]['median_seconds_to_goal']:
                ratio = (summary[name]['median_seconds_to_goal']
                         / summary['sb3_zoo']['median_seconds_to_goal'])
                print(f'  {name} median / SB3 median: {ratio:.2f}× (goal <= 0.5×)')
                summary[name]['ratio_to_sb3_median'] = ratio
    print('written', common.write_results(args.name, {
        'machine': common.machine(), 'seeds': args.seeds,
        'troupe_hidden_sizes': list(config.hidden_sizes), 'summary': summary,
        'runs': groups}))


if __name__ == '__main__':
    main()
