"""Actor-critics (DDPG, D4PG, TD3, SAC) on continuous control.

Trains an agent for `--steps` environment steps per seed on Pendulum
(`pendulum`, 200-step episodes, actions in [-2, 2]) or dm_control
cartpole/balance (`cartpole_balance`, 1000-step episodes, observations
concatenated to float32). Every `--eval-every` steps (and at the end) the greedy
policy (no exploration noise) is evaluated for `--eval-episodes` episodes on a
separate environment. Printed per seed: the evaluation returns, environment
steps/s of training (acting, replay and learning; evaluation excluded) and
learner updates/s over the same time. Results go to
benchmarks/results/continuous_control_<env>_<agent>.json.

Targets (3 seeds each, on a quiet 2-core machine): Pendulum, every agent's mean
evaluation return >= -200 within 20,000 steps; cartpole/balance, D4PG >= 900
after 20,000 steps at >= 600 env steps/s (Acme's TF D4PG: 357-943 at 187-280).

The configurations below favour that budget over Acme's defaults: small
networks, one update of 256 transitions per step on Pendulum (one of 128 per 2
steps on cartpole, for speed: sampling and the update cost scale with the batch;
D4PG makes its 4 updates of every 8 steps in one learner call, which saves the
per-call cost), Adam(1e-3) and Polyak targets; D4PG's atoms span each task's
range of discounted returns. `--intra-op-threads 1` gives TensorFlow one thread
per op, faster for these small networks (benchmarks/cpu_threads.py).

Usage: python benchmarks/continuous_control.py --agent d4pg --env cartpole_balance
         [--steps 20000] [--seeds 0,1,2] [--eval-every 5000] [--eval-episodes 10]
         [--intra-op-threads 1]
"""

import argparse
import os
import sys

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import common  # noqa: E402
import troupe  # noqa: E402
from troupe import specs  # noqa: E402
from troupe.agents import local, registry  # noqa: E402
from troupe.components import loggers  # noqa: E402
from troupe.agents.registry import presets  # noqa: E402
from troupe.environments import make, wrappers  # noqa: E402

AGENTS = ('ddpg', 'd4pg', 'td3', 'sac')
ENVIRONMENTS = ('pendulum', 'cartpole_balance')

# Per (environment, agent): the agent's config (network sizes, learning rates,
# replay ratio, D4PG atoms). Kept in the agent registry's presets so that
# `troupe train` uses the same.
CONFIGS = presets.CONTINUOUS_CONFIGS


def make_environment(name: str, seed: int):
    if name == 'pendulum':
        return make('pendulum', seed=seed)
    environment = make('dm_control:cartpole/balance', seed=seed)
    return wrappers.SinglePrecisionWrapper(
        wrappers.ConcatObservationWrapper(environment))


def make_agent(agent: str, env_name: str, spec: specs.EnvironmentSpec, seed: int,
               num_envs=None, **changes):
    """The agent's builder with the preset's config (and `changes`), run locally
    (on `num_envs` copies if given)."""
    config = CONFIGS[(env_name, agent)].replace(seed=seed, **changes)
    return local.LocalAgent(registry.get(agent).make_builder(config), spec,
                            num_envs=num_envs, logger=loggers.InMemoryLogger())


def evaluate(actor, environment, episodes: int) -> list:
    loop = troupe.EnvironmentLoop(environment, actor, should_update=False,
                                  logger=loggers.InMemoryLogger())
    return [float(loop.run_episode()['episode_return']) for _ in range(episodes)]


def greedy_evaluation(agent, environment, episodes: int):
    """A function returning the greedy policy's mean return over `episodes`
    episodes of `environment`, and the returns."""
    def evaluation() -> dict:
        returns = evaluate(agent.make_evaluation_actor(), environment, episodes)
        return {'mean_return': float(np.mean(returns)), 'returns': returns}
    return evaluation


def progress_report(label: str):
    """Prints one line per evaluation for `common.train_with_evaluations`."""
    def report(evaluation, env_rate, update_rate):
        print(f'  {label}: {evaluation["env_steps"]:6d} steps, greedy return '
              f'{evaluation["mean_return"]:8.1f} (min {np.min(evaluation["returns"]):.1f}),'
              f' {env_rate:6.0f} env steps/s, {update_rate:6.0f} updates/s', flush=True)
    return report


def run_seed(agent_name: str, env_name: str, seed: int, steps: int, eval_every: int,
             eval_episodes: int) -> dict:
    tf.random.set_seed(seed)
    np.random.seed(seed)
    environment = make_environment(env_name, seed)
    eval_environment = make_environment(env_name, seed + 10_000)
    spec = specs.make_environment_spec(environment)
    agent = make_agent(agent_name, env_name, spec, seed)
    loop = troupe.EnvironmentLoop(environment, agent, logger=loggers.InMemoryLogger())
    try:
        run = common.train_with_evaluations(
            loop, agent, steps, eval_every,
            greedy_evaluation(agent, eval_environment, eval_episodes),
            progress_report(f'{agent_name} {env_name} seed {seed}'))
    finally:
        agent.close()
    return dict(seed=seed, **run)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--agent', choices=AGENTS, default='d4pg')
    parser.add_argument('--env', choices=ENVIRONMENTS, default='pendulum')
    parser.add_argument('--steps', type=int, default=20_000)
    parser.add_argument('--seeds', default='0,1,2')
    parser.add_argument('--eval-every', type=int, default=5000)
    parser.add_argument('--eval-episodes', type=int, default=10)
    parser.add_argument('--name', default=None,
                        help='results file name in benchmarks/results, no suffix '
                             '(default: continuous_control_ENV_AGENT)')
    common.add_intra_op_threads_argument(parser)
    args = parser.parse_args()
    common.apply_intra_op_threads(parser, args)
    seeds = [int(s) for s in args.seeds.split(',')]
    runs = [run_seed(args.agent, args.env, seed, args.steps, args.eval_every,
                     args.eval_episodes) for seed in seeds]
    finals = [run['final_mean_return'] for run in runs]
    rates = [run['env_steps_per_second'] for run in runs]
    print(f'{args.agent} on {args.env}, {args.steps} steps: final greedy returns '
          f'{np.round(finals, 1).tolist()}, env steps/s {np.round(rates).tolist()}')
    path = common.write_results(
        args.name or f'continuous_control_{args.env}_{args.agent}',
        {'agent': args.agent, 'environment': args.env, 'steps': args.steps,
         'seeds': seeds, 'eval_episodes': args.eval_episodes,
         'config': CONFIGS[(args.env, args.agent)].to_json(),
         'intra_op_threads': args.intra_op_threads, 'runs': runs})
    print('wrote', path)


if __name__ == '__main__':
    main()
