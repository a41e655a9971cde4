"""D4PG on dm_control cartpole/balance and SAC on Pendulum acting on N copies:
env steps/s, and the greedy return at the same number of env steps as the
single-copy runs of benchmarks/continuous_control.py (20,000).

Each agent acts on a `BatchedEnvironment` of N copies (one policy call per
batch step, exploration drawn per copy, one n-step trajectory per copy) with
the single-copy study's settings (`presets.CONTINUOUS_CONFIGS`, config
instances): the same networks, optimizers, batch size and replay
ratio counted in env steps of all copies, so the same number of updates per
env step. Only `updates_per_call` changes, so that one learner call does the
updates of one batch step (`presets.CONTINUOUS_VECTORISED`). Every
`--eval-every` env steps the greedy policy is evaluated exactly as
continuous_control.py does (its `evaluate`, `--eval-episodes` episodes on one
environment seeded seed + 10,000); evaluation time is not training time.
dm_control copies step in this process (about 80 µs a step here, less than a
worker pipe round trip would save on 2 busy cores).

`--compare-single` also runs, per seed and under the same load,
continuous_control.py's own single-copy run (`run_seed`); otherwise the
single-copy figures are read from its results files for reference (measured
at another time, under another load). Results go to
benchmarks/results/continuous_vectorised.json (studies not run this time are
kept from the file).

Usage: python benchmarks/continuous_vectorised.py [--studies d4pg:cartpole_balance
         sac:pendulum] [--num-envs N] [--steps 20000] [--seeds 0,1,2]
         [--eval-every 5000] [--eval-episodes 10] [--compare-single]
"""

import argparse
import json
import os
import statistics
import sys

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import common  # noqa: E402
import continuous_control  # noqa: E402
import troupe  # noqa: E402
from troupe import specs  # noqa: E402
from troupe.agents.registry import presets  # noqa: E402
from troupe.components import loggers  # noqa: E402
from troupe.environments import BatchedEnvironment  # noqa: E402

NAME = 'continuous_vectorised'
STUDIES = ('d4pg:cartpole_balance', 'sac:pendulum')


def make_copy(seed: int, name: str):
    """One training copy, as continuous_control.py makes its environment."""
    return continuous_control.make_environment(name, seed)


def make_agent(agent: str, env_name: str, spec: specs.EnvironmentSpec, seed: int,
               num_envs: int, updates_per_call: int):
    """continuous_control.py's agent for (env_name, agent), acting on num_envs
    copies with `updates_per_call` updates per learner step."""
    if (env_name, agent) not in presets.CONTINUOUS_VECTORISED:
        raise ValueError(f'No N-copy study for agent {agent!r}; expected d4pg or sac.')
    return continuous_control.make_agent(agent, env_name, spec, seed, num_envs=num_envs,
                                         updates_per_call=updates_per_call)


def run_seed(agent_name: str, env_name: str, seed: int, steps: int, eval_every: int,
             eval_episodes: int, num_envs: int, updates_per_call: int) -> dict:
    tf.random.set_seed(seed)
    np.random.seed(seed)
    environment = BatchedEnvironment(make_copy, num_envs, seed=100 * seed,
                                     name=env_name)
    eval_environment = continuous_control.make_environment(env_name, seed + 10_000)
    spec = specs.make_environment_spec(environment)
    agent = make_agent(agent_name, env_name, spec, seed, num_envs, updates_per_call)
    loop = troupe.EnvironmentLoop(environment, agent, logger=loggers.InMemoryLogger())
    try:
        run = common.train_with_evaluations(
            loop, agent, steps, eval_every,
            continuous_control.greedy_evaluation(agent, eval_environment, eval_episodes),
            continuous_control.progress_report(
                f'{agent_name} {env_name} N={num_envs} seed {seed}'))
    finally:
        agent.close()
        environment.close()
    return dict(seed=seed, **run)


def _summary(runs) -> dict:
    finals = [run['final_mean_return'] for run in runs]
    return {'final_mean_returns': finals, 'mean_final_return': float(np.mean(finals)),
            'min_final_return': float(np.min(finals)),
            'median_env_steps_per_second': statistics.median(
                run['env_steps_per_second'] for run in runs),
            'median_updates_per_second': statistics.median(
                run['learner_updates_per_second'] for run in runs)}


def _recorded_single(agent: str, env_name: str):
    """continuous_control.py's recorded results for (agent, env_name), if any."""
    path = os.path.join(common.RESULTS_DIR, f'continuous_control_{env_name}_{agent}.json')
    if not os.path.exists(path):
        return None
    with open(path) as file:
        recorded = json.load(file)
    return dict(_summary(recorded['runs']), steps=recorded['steps'],
                seeds=recorded['seeds'],
                source=f'results/continuous_control_{env_name}_{agent}.json')


def run_study(study: str, args) -> dict:
    agent, env_name = study.split(':')
    settings = presets.CONTINUOUS_VECTORISED[(env_name, agent)]
    num_envs = args.num_envs or settings['num_envs']
    updates_per_call = settings['updates_per_call']
    seeds = [int(s) for s in args.seeds.split(',')]
    load_before = os.getloadavg()[0]
    runs, single_runs = [], []
    for seed in seeds:
        runs.append(run_seed(agent, env_name, seed, args.steps, args.eval_every,
                             args.eval_episodes, num_envs, updates_per_call))
        if args.compare_single:
            single_runs.append(continuous_control.run_seed(
                agent, env_name, seed, args.steps, args.eval_every, args.eval_episodes))
    result = {'agent': agent, 'environment': env_name, 'num_envs': num_envs,
              'updates_per_call': updates_per_call, 'steps': args.steps,
              'seeds': seeds, 'eval_every': args.eval_every,
              'eval_episodes': args.eval_episodes,
              'config': presets.CONTINUOUS_CONFIGS[(env_name, agent)].to_json(),
              'summary': _summary(runs), 'runs': runs,
              'load_average_before_after': [load_before, os.getloadavg()[0]]}
    batched = result['summary']
    print(f'{agent} on {env_name}, N={num_envs}, {args.steps} env steps: final greedy '
          f'returns {np.round(batched["final_mean_returns"], 1).tolist()}, '
          f'{batched["median_env_steps_per_second"]:.0f} env steps/s, '
          f'{batched["median_updates_per_second"]:.0f} updates/s (medians)', flush=True)
    if single_runs:
        single = _summary(single_runs)
        result.update(single_summary=single, single_runs=single_runs,
                      env_steps_per_second_ratio=batched['median_env_steps_per_second']
                      / single['median_env_steps_per_second'])
        print(f'  single copy, same run: final greedy returns '
              f'{np.round(single["final_mean_returns"], 1).tolist()}, '
              f'{single["median_env_steps_per_second"]:.0f} env steps/s; N={num_envs} '
              f'acts {result["env_steps_per_second_ratio"]:.2f}x as many env steps/s',
              flush=True)
    recorded = _recorded_single(agent, env_name)
    if recorded is not None:
        result['recorded_single'] = recorded
        print(f'  single copy, recorded ({recorded["source"]}): final greedy returns '
              f'{np.round(recorded["final_mean_returns"], 1).tolist()}, '
              f'{recorded["median_env_steps_per_second"]:.0f} env steps/s', flush=True)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--studies', nargs='+', choices=STUDIES, default=list(STUDIES))
    parser.add_argument('--num-envs', type=int, default=None,
                        help='copies (default: the preset of each study)')
    parser.add_argument('--steps', type=int, default=presets.CONTINUOUS_STEPS)
    parser.add_argument('--seeds', default='0,1,2')
    parser.add_argument('--eval-every', type=int, default=5000)
    parser.add_argument('--eval-episodes', type=int, default=10)
    parser.add_argument('--compare-single', action='store_true',
                        help="also run continuous_control.py's single-copy run per seed")
    parser.add_argument('--name', default=NAME,
                        help='results file name (in benchmarks/results)')
    args = parser.parse_args()
    path = os.path.join(common.RESULTS_DIR, f'{args.name}.json')
    studies = {}
    if os.path.exists(path):  # Keep the studies not run this time.
        with open(path) as file:
            studies = json.load(file).get('studies', {})
    for study in args.studies:
        studies[study] = run_study(study, args)
        print('wrote', common.write_results(args.name, {'studies': studies}), flush=True)


if __name__ == '__main__':
    main()
