"""MADDPG against independent DDPG on the built-in particle tasks.

`--env cooperative_navigation` (default): 3 agents cover 3 landmarks.
`--env speaker_listener`: a speaker that sees the goal landmark must tell a
listener, which hears it a step later, where to go.

Both variants are `maddpg.MADDPG` with the same networks, hyperparameters and
budget; they differ only in the critics' input: every agent's observation and
action (MADDPG, `centralised_critics=True`) or the agent's own (independent
DDPG). Each trains for `--steps` joint environment steps per seed (25-step
episodes). Every `--eval-every` steps the greedy policies (no exploration noise)
play `--eval-episodes` episodes of a separate environment (the same episodes for
both variants of a seed). The figure is the team's return: the mean over agents
of each agent's return (agent '0''s own return is recorded too). In cooperative
navigation that is the shared coverage return minus the mean of the agents'
collision penalties; in speaker-listener both agents get the same reward.

Two settings are compared, which differ only in how much each stored transition
is replayed (`--samples-per-insert`, default 32 and 64: one update of 256
transitions every 8 or every 4 env steps). Printed per setting and seed: both
curves, env steps/s of training (acting, replay and learning; evaluation
excluded; per process, so with `--jobs` above 1 the processes share the
cores) and learner updates/s over the same time; then the mean curves over
seeds, and scripted reference returns on the same evaluation episodes. In
cooperative navigation: standing still, uniformly random forces, every agent
heading for its nearest landmark, and every agent heading for its landmark in
the assignment of agents to landmarks with the least total distance (each agent
computes it from its own observation). In speaker-listener: standing still, the
listener heading for the landmarks' centroid (the best it can do without the
message), and perfect communication (the speaker sends its one-hot, the
listener heads for the landmark it names). Results go to
benchmarks/results/<--name>.json (default maddpg_navigation or
maddpg_speaker_listener), which
keeps the settings of earlier runs with the same budget, seeds and evaluation,
and the curves to benchmarks/results/<--name>.png.

Usage: python benchmarks/maddpg_particles.py [--env cooperative_navigation]
         [--steps 100000] [--seeds 0,1,2] [--eval-every 10000] [--eval-episodes 20]
         [--samples-per-insert 32,64] [--jobs 2] [--intra-op-threads 1] [--name N]
"""

import argparse
import itertools
import multiprocessing
import json
import os
import sys
import time
from concurrent import futures

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import common  # noqa: E402
import troupe  # noqa: E402
from troupe import specs  # noqa: E402
from troupe.agents import maddpg  # noqa: E402
from troupe.components import devices, loggers, plotting  # noqa: E402
from troupe.environments import make  # noqa: E402

RESULTS_NAMES = {'cooperative_navigation': 'maddpg_navigation',
                 'speaker_listener': 'maddpg_speaker_listener'}
VARIANTS = {'maddpg': True, 'independent_ddpg': False}
LABELS = {'maddpg': 'MADDPG', 'independent_ddpg': 'independent DDPG'}
NUM_AGENTS = 3
EVAL_SEED_OFFSET = 10_000
# Shared by both variants; only `centralised_critics` differs. Each setting of
# `--samples-per-insert` replaces `samples_per_insert` (one update of a batch
# every batch_size / samples_per_insert env steps).
NETWORKS = dict(policy_hidden_sizes=(64, 64), critic_hidden_sizes=(64, 64))
HYPERPARAMETERS = dict(discount=0.95, batch_size=256, samples_per_insert=32.0,
                       min_replay_size=1000, n_step=3, sigma=0.3,
                       target_update_rate=0.01, policy_learning_rate=3e-3,
                       critic_learning_rate=3e-3)
# The scripted policies' force: GAIN · (target − position) − DAMPING · velocity.
GAIN, DAMPING = 10.0, 1.0


def make_environment(env: str, seed: int):
    if env == 'cooperative_navigation':
        return make(env, num_agents=NUM_AGENTS, seed=seed)
    return make(env, seed=seed)


def play(actor, environment, episodes: int) -> dict:
    """The team's return (mean over agents) and agent '0''s, per episode."""
    loop = troupe.EnvironmentLoop(environment, actor, should_update=False,
                                  logger=loggers.InMemoryLogger())
    team, agent_0 = [], []
    for _ in range(episodes):
        returns = loop.run_episode()['episode_return']
        team.append(float(np.mean(list(returns.values()))))
        agent_0.append(float(returns['0']))
    return {'mean_return': float(np.mean(team)), 'returns': team,
            'agent_0_mean_return': float(np.mean(agent_0))}


class ScriptedActor(troupe.Actor):
    """Acts with `act(observations, rng) -> actions` (dicts keyed by agent id)."""

    def __init__(self, act, seed: int = 0):
        self._act = act
        self._rng = np.random.RandomState(seed)

    def select_action(self, observations):
        return self._act(observations, self._rng)

    def observe_first(self, timestep):
        pass

    def observe(self, action, next_timestep):
        pass

    def update(self, wait: bool = False):
        pass


def _force_towards(target, velocity) -> np.ndarray:
    return np.clip(GAIN * target - DAMPING * velocity, -1.0, 1.0).astype(np.float32)


# Cooperative navigation: each agent's observation is [velocity, position,
# landmarks − position, others − position].

def _every_agent(choose_target):
    """Every agent pushes towards the target landmark `choose_target(o, rng)`
    picks from its own observation o (None: a uniformly random force)."""
    def act(observations, rng):
        actions = {}
        for i, o in observations.items():
            target = choose_target(o, rng)
            actions[i] = (rng.uniform(-1, 1, 2).astype(np.float32) if target is None
                          else _force_towards(target, o[:2]))
        return actions
    return act


def _landmarks_and_others(o):
    landmarks = o[4:4 + 2 * NUM_AGENTS].reshape(NUM_AGENTS, 2)
    others = o[4 + 2 * NUM_AGENTS:].reshape(NUM_AGENTS - 1, 2)
    return landmarks, others


def _nearest(o, rng):
    landmarks, _ = _landmarks_and_others(o)
    return landmarks[np.argmin((landmarks ** 2).sum(-1))]


def _assigned(o, rng):
    landmarks, others = _landmarks_and_others(o)
    agents = np.vstack([np.zeros(2), others])  # This agent first, at the origin.
    best = min(itertools.permutations(range(NUM_AGENTS)),
               key=lambda p: sum(np.linalg.norm(landmarks[p[k]] - agents[k])
                                 for k in range(NUM_AGENTS)))
    return landmarks[best[0]]


# Speaker-listener: the speaker observes the goal's one-hot; the listener
# [velocity, landmarks − position, message].

def _listener(observations, message_to_target):
    """The speaker sends its one-hot in [-1, 1]; the listener heads for
    `message_to_target(landmarks, message)`."""
    speaker, o = observations['0'], observations['1']
    count = speaker.shape[0]
    landmarks = o[2:2 + 2 * count].reshape(count, 2)
    target = message_to_target(landmarks, o[2 + 2 * count:])
    return {'0': (2.0 * speaker - 1.0).astype(np.float32),
            '1': _force_towards(target, o[:2])}


def _named_landmark(landmarks, message):
    """The landmark the message names (the centroid before any message)."""
    if not message.any():
        return landmarks.mean(axis=0)
    return landmarks[int(np.argmax(message))]


SCRIPTED = {
    'cooperative_navigation': {
        'standing still': _every_agent(lambda o, rng: np.zeros(2)),
        'uniformly random forces': _every_agent(lambda o, rng: None),
        'nearest landmark': _every_agent(_nearest),
        'best assignment': _every_agent(_assigned)},
    'speaker_listener': {
        'standing still': lambda observations, rng: {
            i: np.zeros(o.shape[0] if i == '0' else 2, np.float32)
            for i, o in observations.items()},
        'listener to the centroid': lambda observations, rng: _listener(
            observations, lambda landmarks, message: landmarks.mean(axis=0)),
        'perfect communication': lambda observations, rng: _listener(
            observations, _named_landmark)},
}
# The references drawn beside the curves.
PLOTTED_REFERENCES = {
    'cooperative_navigation': ('nearest landmark', 'best assignment'),
    'speaker_listener': ('listener to the centroid', 'perfect communication')}


def scripted_references(env: str, seeds: list, episodes: int) -> dict:
    """Each scripted policy's mean team return on the evaluation episodes of
    each seed: {name: [per seed]}."""
    return {name: [play(ScriptedActor(act), make_environment(
                        env, seed + EVAL_SEED_OFFSET), episodes)['mean_return']
                   for seed in seeds]
            for name, act in SCRIPTED[env].items()}


def run_seed(env: str, variant: str, seed: int, hyperparameters: dict, steps: int,
             eval_every: int, eval_episodes: int) -> dict:
    tf.random.set_seed(seed)
    np.random.seed(seed)
    environment = make_environment(env, seed)
    eval_environment = make_environment(env, seed + EVAL_SEED_OFFSET)
    spec = specs.make_environment_spec(environment)
    nets = maddpg.make_networks(spec, **NETWORKS)
    agent = maddpg.MADDPG(spec, nets.policies, nets.critics,
                          centralised_critics=VARIANTS[variant],
                          logger=loggers.InMemoryLogger(), checkpoint=False,
                          **hyperparameters)
    loop = troupe.EnvironmentLoop(environment, agent, logger=loggers.InMemoryLogger())

    def report(evaluation, env_rate, update_rate):
        print(f'  {variant:16s} seed {seed}: {evaluation["env_steps"]:6d} steps, greedy '
              f'team return {evaluation["mean_return"]:7.1f}, {env_rate:5.0f} env '
              f'steps/s, {update_rate:5.0f} updates/s', flush=True)
    with agent:
        run = common.train_with_evaluations(
            loop, agent, steps, eval_every,
            lambda: play(agent.make_evaluation_actor(), eval_environment, eval_episodes),
            report)
    return dict(seed=seed, **run)


def _run_job(job: tuple) -> dict:
    """`run_seed` in a worker process, with its TensorFlow CPU threads set."""
    *arguments, intra_op = job
    devices.set_cpu_threads(intra_op=intra_op)
    return run_seed(*arguments)


def run_jobs(jobs: list, processes: int) -> list:
    """`run_seed` for every job, in order: in this process, or in `processes`
    fresh worker processes at a time (each seed's run is independent)."""
    if processes == 1:
        return [_run_job(job) for job in jobs]
    context = multiprocessing.get_context('spawn')  # TensorFlow is not fork-safe.
    with futures.ProcessPoolExecutor(processes, mp_context=context) as pool:
        return list(pool.map(_run_job, jobs))


def curve(run: dict) -> list:
    return [e['mean_return'] for e in run['evaluations']]


def summarise(results: dict, references: dict) -> dict:
    """Prints the curves per seed and their means; returns the summary."""
    first = results['maddpg'][0]['evaluations']
    steps = [e['env_steps'] for e in first]
    print(f'\ngreedy team return (mean of {len(first[0]["returns"])} evaluation '
          f'episodes) at env steps {steps}')
    summary = {'env_steps': steps}
    for variant, runs in results.items():
        for run in runs:
            print(f'  {variant:16s} seed {run["seed"]}: '
                  + ' '.join(f'{x:7.1f}' for x in curve(run)))
        mean = np.mean([curve(run) for run in runs], axis=0)
        print(f'  {variant:16s} mean  : ' + ' '.join(f'{x:7.1f}' for x in mean))
        finals = [run['final_mean_return'] for run in runs]
        summary[variant] = {
            'mean_curve': mean.tolist(), 'final_mean': float(np.mean(finals)),
            'final_std': float(np.std(finals)), 'finals': finals,
            'last_3_evaluations_mean': float(np.mean(mean[-3:])),
            'env_steps_per_second': float(np.mean(
                [r['env_steps_per_second'] for r in runs])),
            'learner_updates_per_second': float(np.mean(
                [r['learner_updates_per_second'] for r in runs]))}
    for variant in results:
        s = summary[variant]
        print(f'{variant:16s} final {s["final_mean"]:7.1f} ± {s["final_std"]:.1f} '
              f'(seeds {np.round(s["finals"], 1).tolist()}; last 3 evaluations '
              f'{s["last_3_evaluations_mean"]:.1f}), '
              f'{s["env_steps_per_second"]:.0f} env steps/s, '
              f'{s["learner_updates_per_second"]:.0f} updates/s')
    pairs = list(zip(results['maddpg'], results['independent_ddpg']))
    summary['maddpg_minus_independent_final'] = float(
        summary['maddpg']['final_mean'] - summary['independent_ddpg']['final_mean'])
    summary['maddpg_ahead_at_the_end_on_seeds'] = int(sum(
        m['final_mean_return'] > i['final_mean_return'] for m, i in pairs))
    summary['maddpg_ahead_at_evaluations'] = int(sum(
        a > b for m, i in pairs for a, b in zip(curve(m), curve(i))))
    print(f'MADDPG - independent DDPG, final team return: '
          f'{summary["maddpg_minus_independent_final"]:+.1f}; MADDPG ahead at the end '
          f'on {summary["maddpg_ahead_at_the_end_on_seeds"]} of {len(pairs)} seeds '
          f'and at {summary["maddpg_ahead_at_evaluations"]} of '
          f'{len(pairs) * len(steps)} evaluations')
    print('scripted references (mean over seeds): ' + ', '.join(
        f'{name} {np.mean(values):.1f}' for name, values in references.items()))
    return summary


TITLES = {'cooperative_navigation': 'Cooperative navigation, 3 agents',
          'speaker_listener': 'Speaker and listener'}


def plot(env: str, settings: dict, references: dict, path: str) -> str:
    """Both variants' curves (mean ± std over seeds) in every setting, and two
    scripted references."""
    groups = {}
    for key, setting in settings.items():
        for variant, runs in setting['runs'].items():
            groups[f'{LABELS[variant]}, {key}'] = [
                plotting.Run(np.array([e['env_steps'] for e in run['evaluations']]),
                             np.array(curve(run))) for run in runs]
    first = next(iter(settings.values()))['runs']['maddpg'][0]['evaluations']
    span = np.array([first[0]['env_steps'], first[-1]['env_steps']])
    for name in PLOTTED_REFERENCES[env]:
        groups[f'scripted: {name}'] = [plotting.Run(span, np.full(2, value))
                                       for value in references[name]]
    return plotting.plot_learning_curves(
        groups, path, window=1,
        title=f'{TITLES[env]}: greedy team return')


def earlier_settings(path: str, run_config: dict) -> dict:
    """The settings already in the results file if it was made with the same
    `run_config` (budget, seeds, evaluation, networks), else none."""
    if not os.path.exists(path):
        return {}
    with open(path) as file:
        earlier = json.load(file)
    if any(earlier.get(key) != value for key, value in run_config.items()):
        return {}
    return earlier.get('settings', {})


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--env', choices=sorted(RESULTS_NAMES),
                        default='cooperative_navigation')
    parser.add_argument('--steps', type=int, default=100_000)
    parser.add_argument('--seeds', default='0,1,2')
    parser.add_argument('--eval-every', type=int, default=10_000)
    parser.add_argument('--eval-episodes', type=int, default=20)
    parser.add_argument('--samples-per-insert', default='32,64',
                        help='the settings to run, comma-separated')
    parser.add_argument('--jobs', type=int, default=1,
                        help='runs (seed, variant) at once, each in its own process')
    parser.add_argument('--name', default=None,
                        help='results file name in benchmarks/results, no suffix '
                             '(default: maddpg_navigation or maddpg_speaker_listener)')
    common.add_intra_op_threads_argument(parser)
    args = parser.parse_args()
    if args.jobs < 1:
        parser.error(f'--jobs must be >= 1, got {args.jobs}.')
    common.apply_intra_op_threads(parser, args)  # Before the scripted references.
    seeds = [int(s) for s in args.seeds.split(',')]
    name = args.name or RESULTS_NAMES[args.env]
    run_config = {'environment': args.env, 'steps': args.steps, 'seeds': seeds, 'eval_every': args.eval_every,
                  'eval_episodes': args.eval_episodes,
                  'networks': {k: list(v) for k, v in NETWORKS.items()}}
    path = os.path.join(common.RESULTS_DIR, f'{name}.json')
    settings = earlier_settings(path, run_config)
    references = scripted_references(args.env, seeds, args.eval_episodes)
    for samples_per_insert in (float(x) for x in args.samples_per_insert.split(',')):
        hyperparameters = dict(HYPERPARAMETERS, samples_per_insert=samples_per_insert)
        key = f'samples_per_insert={samples_per_insert:g}'
        print(f'\n{key}: {hyperparameters}')
        start = time.perf_counter()
        # Variants alternate, so both see the same machine load.
        jobs = [(args.env, variant, seed, hyperparameters, args.steps, args.eval_every,
                 args.eval_episodes, args.intra_op_threads)
                for seed in seeds for variant in VARIANTS]
        results = {variant: [] for variant in VARIANTS}
        for job, run in zip(jobs, run_jobs(jobs, args.jobs)):
            results[job[1]].append(run)
        minutes = (time.perf_counter() - start) / 60
        print(f'total wall time {minutes:.1f} min')
        settings[key] = {'hyperparameters': hyperparameters,
                         'wall_time_minutes': minutes, 'jobs': args.jobs,
                         'intra_op_threads': args.intra_op_threads,
                         'summary': summarise(results, references), 'runs': results}
    common.write_results(name, {
        'num_agents': len(make_environment(args.env, 0).agent_ids), **run_config,
        'metric': 'greedy team return: mean over agents of the episode returns',
        'scripted_reference_returns': references, 'settings': settings})
    print('wrote', path)
    print('wrote', plot(args.env, settings, references,
                        os.path.join(common.RESULTS_DIR, f'{name}.png')))


if __name__ == '__main__':
    main()
