"""Agents' speed with TensorFlow's default CPU threads against one intra-op thread.

Each workload is an agent on an environment with the preset `troupe train` uses
(the same settings as the learning benchmarks). It runs in a fresh process, once
with TensorFlow's default thread pools (intra-op threads = cores) and once after
`devices.set_cpu_threads(intra_op=1)`; the two settings alternate over
`--repeats` rounds. In each process the agent first acts `--warmup` env steps
(filling the replay past its minimum and tracing every function), then
`--steps` timed env steps of the `EnvironmentLoop` (acting, replay and
learning). Printed per workload: median env steps/s and learner updates/s under
each setting and their ratio. Results go to benchmarks/results/cpu_threads.json,
which keeps the workloads an earlier run measured and this one did not.

Usage: python benchmarks/cpu_threads.py [--workloads d4pg:dm_control:cartpole/balance ...]
         [--steps 4000] [--warmup 2000] [--repeats 2]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common  # noqa: E402

WORKLOADS = ('d4pg:dm_control:cartpole/balance', 'ddpg:pendulum', 'td3:pendulum',
             'sac:pendulum', 'dqn:cartpole', 'reinforce:cartpole', 'a2c:cartpole',
             'impala:cartpole')
SETTINGS = {'default': None, 'intra_op=1': 1}


def measure(agent: str, env: str, intra_op, warmup: int, steps: int) -> dict:
    """Runs in the child process: the loop's env steps/s and updates/s."""
    from troupe.components import devices
    devices.set_cpu_threads(intra_op=intra_op)

    import numpy as np
    import tensorflow as tf

    import troupe
    from troupe.agents import registry
    from troupe.components import loggers

    tf.random.set_seed(0)
    np.random.seed(0)
    entry = registry.get(agent)
    config = entry.resolve(env, {}, seed=0)
    environment = registry.make_environment(env, 0, entry.environment_kwargs(env))
    spec = troupe.make_environment_spec(environment)
    built = registry.build(entry, spec, config, loggers.InMemoryLogger())
    try:
        loop = troupe.EnvironmentLoop(environment, built.actor,
                                      logger=loggers.InMemoryLogger())
        loop.run(num_steps=warmup)
        updates = built.learner_updates or 0
        start = time.perf_counter()
        taken = loop.run(num_steps=steps)
        seconds = time.perf_counter() - start
        updates = (built.learner_updates or 0) - updates
    finally:
        built.close()
        environment.close()
    return {'env_steps_per_second': taken / seconds,
            'updates_per_second': updates / seconds,
            'intra_op_threads': tf.config.threading.get_intra_op_parallelism_threads()}


def run_child(workload: str, setting: str, warmup: int, steps: int) -> dict:
    command = [sys.executable, os.path.abspath(__file__), '--child', workload,
               '--setting', setting, '--warmup', str(warmup), '--steps', str(steps)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f'{workload} ({setting}) failed:\n{done.stderr[-3000:]}')
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--workloads', nargs='+', choices=WORKLOADS,
                        default=list(WORKLOADS))
    parser.add_argument('--steps', type=int, default=4000)
    parser.add_argument('--warmup', type=int, default=2000)
    parser.add_argument('--repeats', type=int, default=2)
    parser.add_argument('--child', help=argparse.SUPPRESS)
    parser.add_argument('--setting', choices=SETTINGS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    for name in ('steps', 'warmup', 'repeats'):
        if getattr(args, name) < 1:
            parser.error(f'--{name} must be >= 1, got {getattr(args, name)}.')
    if args.child:
        agent, env = args.child.split(':', 1)
        print(json.dumps(measure(agent, env, SETTINGS[args.setting], args.warmup,
                                 args.steps)))
        return

    results = {}
    for workload in args.workloads:
        runs = {setting: [] for setting in SETTINGS}
        for round_ in range(args.repeats):
            for setting in SETTINGS:
                run = run_child(workload, setting, args.warmup, args.steps)
                runs[setting].append(run)
                print(f'  {workload:24s} {setting:11s} round {round_ + 1}: '
                      f'{run["env_steps_per_second"]:7.0f} env steps/s, '
                      f'{run["updates_per_second"]:6.0f} updates/s', flush=True)
        summary = {setting: {key: statistics.median([run[key] for run in setting_runs])
                             for key in ('env_steps_per_second', 'updates_per_second')}
                   for setting, setting_runs in runs.items()}
        ratio = (summary['intra_op=1']['env_steps_per_second']
                 / summary['default']['env_steps_per_second'])
        results[workload] = {'runs': runs, 'medians': summary,
                             'load_average_after': os.getloadavg()[0],
                             'env_steps_ratio_intra_op_1_over_default': ratio}
        print(f'{workload:24s} default {summary["default"]["env_steps_per_second"]:7.0f}'
              f' env steps/s, intra_op=1 '
              f'{summary["intra_op=1"]["env_steps_per_second"]:7.0f}: {ratio:.2f}x',
              flush=True)
    earlier = os.path.join(common.RESULTS_DIR, 'cpu_threads.json')
    if os.path.exists(earlier):  # Keeps the workloads this run did not measure.
        with open(earlier) as file:
            results = dict(json.load(file).get('workloads', {}), **results)
    path = common.write_results('cpu_threads', {
        'steps': args.steps, 'warmup': args.warmup, 'repeats': args.repeats,
        'workloads': results})
    print('wrote', path)


if __name__ == '__main__':
    main()
