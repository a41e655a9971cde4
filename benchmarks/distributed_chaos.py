"""Distributed DQN on CartPole with its nodes killed: for each seed, one run on a
local Ray with 2 actors in which the replay node, the learner node and one actor
node are each killed once with SIGKILL (by process id) at seeded random moments
between 20% and 70% of the budget (`troupe.distributed.chaos`).

The run must finish its budget. Printed and written to
benchmarks/results/distributed_chaos.json: each kill (when, and the seconds
until the node worked again), the restarts per node, the replay restart (how
long until its server served again from its checkpoint, how long until every
node using it was rebuilt, the items it restored and the items inserted after
its checkpoint that were lost), and the final greedy return (the evaluator's
evaluation of the final learner; the issue's bar is >= 400).

The agent is the DQN CartPole preset; the learner, the counter and the replay
checkpoint every `--checkpoint-seconds`.

Usage: python benchmarks/distributed_chaos.py [--steps 60000] [--seeds 0]
           [--checkpoint-seconds 15] [--eval-episodes 10] [--no-kills]
           [--name distributed_chaos]
"""

import argparse
import os
import random
import shutil
import sys
import tempfile
import time

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from troupe.agents import registry  # noqa: E402
from troupe.distributed import (DistributedProgram, ProgramConfig,  # noqa: E402
                                StopConditions, chaos)
import common  # noqa: E402

AGENT, ENV, NUM_ACTORS = 'dqn', 'cartpole', 2
BAR = 400.0  # The bar for the final greedy return.


def run_chaos(steps: int, seed: int, checkpoint_seconds: float, eval_episodes: int,
              logdir: str, overrides=None, eval_seconds: float = 10.0,
              progress=print, timeout: float = 3600.0, kill: bool = True):
    """One run with the replay, the learner and a seeded actor killed once each
    (none if not `kill`: the uninterrupted baseline); returns (results with
    'kills', the kills)."""
    hyperparameters = registry.get(AGENT).resolve(ENV, dict(overrides or {}), seed=seed)
    config = ProgramConfig(AGENT, ENV, hyperparameters, seed=seed, logdir=logdir,
                           checkpoint_minutes=checkpoint_seconds / 60.0,
                           evaluation_episodes=eval_episodes,
                           evaluation_period_seconds=eval_seconds)
    program = DistributedProgram(
        config, num_actors=NUM_ACTORS, progress=progress,
        stop=StopConditions(max_actor_steps=steps, max_seconds=timeout))
    actor = f'actor_{random.Random(seed).randrange(NUM_ACTORS)}'
    kills = chaos.schedule(['replay', 'learner', actor], steps, seed) if kill else []
    results = chaos.run(program, kills, timeout=timeout + 600)
    return results, kills


def table(results) -> str:
    """The kills, and what the run reported, as text."""
    lines = ['node       at actor steps   at s   recovered in s   restarts',
             '---------  --------------  -----  ---------------  --------']
    for kill in results['kills']:
        recovered = ('-' if kill['recovered_seconds'] is None
                     else f'{kill["recovered_seconds"]:.1f}')
        lines.append(f'{kill["node"]:9}  {kill["actor_steps"]:>14,}  '
                     f'{kill["at_seconds"]:5.0f}  {recovered:>15}  '
                     f'{results["restarts"].get(kill["node"], 0):>8}')
    replay = results['replay']
    for event in replay['restarts']:
        lines.append(f'replay restart {event["restart"]}: serving again '
                     f'{event["replay_seconds"]:.1f} s after the driver saw it die, every '
                     f'node rebuilt after {event["seconds"]:.1f} s; restored '
                     f'{event["items_restored"]:,} items from checkpoint '
                     f'{event["checkpoint"]}, lost {event["items_lost"]} inserted after it')
    final = results['final_evaluation']
    lines.append(f'finished: {results["stopped_because"]} in {results["seconds"]:.0f} s; '
                 f'final greedy return '
                 + (f'{final["evaluation_return"]:.1f} (min {final["evaluation_return_min"]:.0f},'
                    f' max {final["evaluation_return_max"]:.0f})' if final else 'none'))
    return '\n'.join(lines)


def summary(results, seed: int, args, seconds: float):
    """What one run's entry in the results file holds."""
    final = results['final_evaluation']
    return {
        'seed': seed, 'wall_seconds': round(seconds, 1),
        'finished_budget': results['counts'].get('actor_steps', 0) >= args.steps,
        'stopped_because': results['stopped_because'],
        'counts': results['counts'], 'learner_updates': results['learner_updates'],
        'kills': results['kills'], 'restarts': results['restarts'],
        'replay_restarts': results['replay']['restarts'],
        'replay_items_lost': results['replay']['items_lost'],
        'final_greedy_return': final and final['evaluation_return'],
        'reached_bar': bool(final and final['evaluation_return'] >= BAR),
        'evaluations': [{key: row[key] for key in ('actor_steps', 'evaluation_return')}
                        for row in results['evaluations']],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--steps', type=int, default=60_000,
                        help='the budget: env steps of both actors')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0],
                        help='one run per seed: the run\'s seed and its kills\' '
                             '(which actor, when)')
    parser.add_argument('--checkpoint-seconds', type=float, default=15.0,
                        help='period of the learner\'s, counter\'s and replay\'s '
                             'checkpoints')
    parser.add_argument('--eval-episodes', type=int, default=10,
                        help='episodes of each greedy evaluation, the final one included')
    parser.add_argument('--no-kills', action='store_true',
                        help='kill nothing: the same runs uninterrupted, as the baseline '
                             'for the killed runs\' final returns')
    parser.add_argument('--name', default='distributed_chaos',
                        help='results file name (in benchmarks/results)')
    args = parser.parse_args()

    runs = []
    for seed in args.seeds:
        logdir = tempfile.mkdtemp(prefix='troupe-chaos-')
        start = time.monotonic()
        try:
            results, _ = run_chaos(args.steps, seed, args.checkpoint_seconds,
                                   args.eval_episodes, logdir, kill=not args.no_kills)
        finally:
            shutil.rmtree(logdir, ignore_errors=True)
        print(f'Seed {seed}:')
        print(table(results))
        runs.append(summary(results, seed, args, time.monotonic() - start))
        path = common.write_results(args.name, {
            'agent': AGENT, 'env': ENV, 'num_actors': NUM_ACTORS,
            'budget_actor_steps': args.steps,
            'checkpoint_seconds': args.checkpoint_seconds,
            'eval_episodes': args.eval_episodes, 'bar': BAR, 'killed': not args.no_kills,
            'runs': runs,
            'load_average': os.getloadavg()})  # After each run.
    print(f'Results: {os.path.relpath(path)}')


if __name__ == '__main__':
    main()
