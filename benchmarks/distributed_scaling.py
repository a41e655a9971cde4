"""Distributed DQN on CartPole: actor scaling where the environment is the bound,
and where the learner is, with a model of how throughput scales on a cluster.

The environment-bound study (`--study latency`, the default): every step of every
actor's environment sleeps `--latency` seconds (2 ms, as a remote simulator would
take; `troupe.environments.wrappers.LatencyWrapper` through the environment
keyword `step_latency_seconds`), and the learner replays each transition about
once (`--samples-per-insert 1`), so the learner never holds the actors back.
Env steps/s with 1, 2, 4 and 8 actors, and each count's ratio to 1 actor.

The learner-bound study (`--study learner`), three measurements in one run:
  1. Per-node costs in this process (no Ray): one actor stepping CartPole and
     writing n-step transitions to a Reverb table that never blocks (env steps/s),
     and the learner on that full table (updates/s at the preset's batch size).
  2. The distributed program (real Ray started here, real Reverb) with 1 and then
     2 actor nodes: env steps/s and learner updates/s in the steady state (after
     the learner's first update, from counter samples every second).
  3. The model: with the samples-per-insert rate limiter, env steps/s =
     min(actors x per-actor rate, learner updates/s x batch / samples_per_insert),
     each node on its own core; the replay server saturates far above both here.

Usage: python benchmarks/distributed_scaling.py [--study latency|learner|both]
           [--seconds 30] [--actors 1 2 4 8] [--latency 0.002]
"""

import argparse
import os
import sys
import tempfile
import threading
import time

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import reverb  # noqa: E402

import troupe  # noqa: E402
from troupe.agents import registry  # noqa: E402
from troupe.components import counting, loggers  # noqa: E402
from troupe.distributed import (DistributedProgram, ProgramConfig,  # noqa: E402
                                StopConditions, parts)
import common  # noqa: E402

AGENT, ENV = 'dqn', 'cartpole'


def program_config(logdir: str, latency: float = 0.0,
                   samples_per_insert: float = None) -> ProgramConfig:
    """The DQN CartPole preset; with `latency`, each env step sleeps that long, and
    `samples_per_insert` replaces the preset's replay ratio."""
    overrides = {}
    if samples_per_insert is not None:
        overrides['samples_per_insert'] = samples_per_insert
    env_kwargs = {'step_latency_seconds': latency} if latency else {}
    return ProgramConfig(AGENT, ENV, registry.get(AGENT).resolve(ENV, overrides),
                         env_kwargs=env_kwargs, logdir=logdir, evaluation_episodes=0)


def node_costs(actor_steps: int, learner_updates: int) -> dict:
    """One actor and one learner in this process, on a table that never blocks."""
    recipe = parts.AgentParts(program_config(tempfile.mkdtemp()))
    config = recipe.config
    server = reverb.Server(recipe.builder.make_replay_tables(recipe.environment_spec),
                           port=None)
    address = f'localhost:{server.port}'
    try:
        learner = recipe.make_learner(address, counting.Counter(), loggers.NoOpLogger())
        actor = recipe.make_actor(address, learner, 0)
        loop = troupe.EnvironmentLoop(recipe.make_environment(1), actor,
                                      logger=loggers.NoOpLogger())
        loop.run(num_steps=2_000)  # Warm-up (traces the policy), fills the table.
        start = time.perf_counter()
        steps = loop.run(num_steps=actor_steps)
        actor_rate = steps / (time.perf_counter() - start)
        learner.step()  # Compiles the update.
        before = learner.num_updates
        start = time.perf_counter()
        while learner.num_updates - before < learner_updates:
            learner.step()
        learner_rate = (learner.num_updates - before) / (time.perf_counter() - start)
    finally:
        server.stop()
    return {'actor_env_steps_per_second': actor_rate,
            'learner_updates_per_second': learner_rate,
            'batch_size': config.batch_size,
            'samples_per_insert': config.samples_per_insert,
            'updates_per_call': config.updates_per_call}


def distributed_rates(num_actors: int, seconds: float, latency: float = 0.0,
                      samples_per_insert: float = None) -> dict:
    """Steady-state rates of a distributed run with `num_actors` actors."""
    logdir = tempfile.mkdtemp(prefix='distributed-scaling-')
    program = DistributedProgram(program_config(logdir, latency, samples_per_insert),
                                 num_actors=num_actors,
                                 stop=StopConditions(max_seconds=10 * seconds),
                                 progress=None)
    samples = []
    done = threading.Event()

    def sample():
        while not done.is_set():
            counts = program.counts()
            samples.append((time.monotonic(), counts.get('actor_steps', 0),
                            counts.get('learner_steps', 0)))
            if (samples[-1][2] > 0 and
                    time.monotonic() - next(t for t, _, learned in samples if learned > 0) >= seconds):
                program.request_stop('measured')
                return
            time.sleep(1.0)

    program.launch()
    launched = time.monotonic()
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    results = program.wait()
    done.set()
    sampler.join()
    warm = [s for s in samples if s[2] > 0]
    (t0, a0, l0), (t1, a1, l1) = warm[0], warm[-1]
    return {'num_actors': num_actors, 'startup_seconds': warm[0][0] - launched,
            'window_seconds': t1 - t0,
            'env_steps_per_second': (a1 - a0) / (t1 - t0),
            'learner_updates_per_second': (l1 - l0) / (t1 - t0),
            'total_actor_steps': results['counts'].get('actor_steps'),
            'restarts': results['restarts']}


def model(costs: dict, cores_per_node: bool = True) -> dict:
    """Predicted env steps/s for 1..64 actors on a cluster, one core per node."""
    actor = costs['actor_env_steps_per_second']
    learner_bound = (costs['learner_updates_per_second'] * costs['batch_size']
                     / costs['samples_per_insert'])
    return {str(n): min(n * actor, learner_bound) for n in (1, 2, 4, 8, 16, 32, 64)}


def latency_study(args) -> dict:
    """Env steps/s with each actor count when the environment is the bound."""
    runs = []
    for num_actors in args.actors:
        run = distributed_rates(num_actors, args.seconds, args.latency,
                                args.samples_per_insert)
        runs.append(run)
        print(f'{num_actors} actor(s), {args.latency * 1e3:g} ms per env step: '
              f'{run["env_steps_per_second"]:,.0f} env steps/s, '
              f'{run["learner_updates_per_second"]:,.0f} learner updates/s over '
              f'{run["window_seconds"]:.0f} s.', flush=True)
    base = runs[0]['env_steps_per_second']
    ceiling = 1.0 / args.latency
    print(f'| actors | env steps/s | vs {runs[0]["num_actors"]} actor | '
          f'ceiling (actors / {args.latency * 1e3:g} ms) |')
    print('|---|---|---|---|')
    for run in runs:
        run['ratio'] = run['env_steps_per_second'] / base
        print(f'| {run["num_actors"]} | {run["env_steps_per_second"]:,.0f} | '
              f'{run["ratio"]:.2f}x | {run["num_actors"] * ceiling:,.0f} |')
    return {'latency_seconds': args.latency,
            'samples_per_insert': args.samples_per_insert, 'runs': runs}


def learner_study(args) -> dict:
    """The learner-bound study: node costs, 1 and 2 actors, the model."""
    costs = node_costs(args.actor_steps, args.learner_updates)
    print(f'Per node, in one process: actor {costs["actor_env_steps_per_second"]:,.0f} '
          f'env steps/s; learner {costs["learner_updates_per_second"]:,.0f} updates/s '
          f'(batch {costs["batch_size"]}, samples per insert '
          f'{costs["samples_per_insert"]:g}).')
    runs = []
    for num_actors in args.learner_actors:
        run = distributed_rates(num_actors, args.seconds)
        runs.append(run)
        print(f'{num_actors} actor(s): {run["env_steps_per_second"]:,.0f} env steps/s, '
              f'{run["learner_updates_per_second"]:,.0f} learner updates/s over '
              f'{run["window_seconds"]:.0f} s (start-up {run["startup_seconds"]:.0f} s).')
    if len(runs) > 1:
        print(f'Ratio {runs[-1]["num_actors"]} vs {runs[0]["num_actors"]} actor(s): '
              f'{runs[-1]["env_steps_per_second"] / runs[0]["env_steps_per_second"]:.2f}x '
              'env steps/s.')
    predicted = model(costs)
    learner_bound = max(predicted.values())
    print('Model, one core per node: env steps/s = min(actors x '
          f'{costs["actor_env_steps_per_second"]:,.0f}, {learner_bound:,.0f} (learner '
          'updates/s x batch / samples per insert)):')
    print('  ' + ', '.join(f'{n} actors {v:,.0f}' for n, v in predicted.items()))
    saturation = int(np.ceil(learner_bound / costs['actor_env_steps_per_second']))
    print(f'  The learner saturates at about {saturation} actor(s); beyond that, more '
          'actors only help with a faster learner (a GPU) or a lower samples per '
          'insert. This machine has 2 cores for every node, so its runs sit below '
          'the model.')
    return {'node_costs': costs, 'runs': runs, 'model_env_steps_per_second': predicted,
            'learner_saturates_at_actors': saturation}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--study', choices=('latency', 'learner', 'both'),
                        default='latency')
    parser.add_argument('--seconds', type=float, default=30.0,
                        help='steady-state window per distributed run')
    parser.add_argument('--actors', type=int, nargs='+', default=[1, 2, 4, 8],
                        help='actor counts of the latency study')
    parser.add_argument('--latency', type=float, default=0.002,
                        help='seconds each env step sleeps in the latency study')
    parser.add_argument('--samples-per-insert', type=float, default=1.0,
                        help='the learner\'s replay ratio in the latency study')
    parser.add_argument('--learner-actors', type=int, nargs='+', default=[1, 2],
                        help='actor counts of the learner study')
    parser.add_argument('--actor-steps', type=int, default=10_000)
    parser.add_argument('--learner-updates', type=int, default=2_000)
    args = parser.parse_args()

    results = {'agent': AGENT, 'env': ENV}
    name = 'distributed_scaling'
    if args.study in ('latency', 'both'):
        results['latency_study'] = latency_study(args)
        name = f'distributed_scaling_latency_{args.latency * 1e3:g}ms'
    if args.study in ('learner', 'both'):
        results['learner_study'] = learner_study(args)
        name = ('distributed_scaling' if args.study == 'learner'
                else f'distributed_scaling_both_{args.latency * 1e3:g}ms')
    results['load_average'] = os.getloadavg()
    path = common.write_results(name, results)
    print(f'Results: {os.path.relpath(path)}')


if __name__ == '__main__':
    main()
