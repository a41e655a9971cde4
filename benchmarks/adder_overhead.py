"""How much does troupe's NStepTransitionAdder add to writing with Reverb by hand?

Writes the same pre-generated experience (10k steps of a CartPole-like task:
float32[4] observations, int32 actions, float32 rewards and discounts, episodes
of about 200 steps) into one Reverb server, in one run, three ways:

  (troupe)    NStepTransitionAdder(n=3, discount=0.99)
  (raw)       a hand-written TrajectoryWriter loop creating the same items in
              the simplest way: dict rows, `writer.history[...]` look-ups, the
              n-step return in a Python loop over the window
  (raw lean)  the leanest hand-written loop: flat rows, column histories
              fetched once, inlined float32 arithmetic

It prints steps/s, the ratio troupe/raw (time per step; goal <= 1.2) and the
same comparison for SequenceAdder(length 10, period 5, ZERO_PAD). Both sides
flush with the same `max_in_flight_items` and end each episode the same way.
Results go to benchmarks/results/adder_overhead.json.

Usage: python benchmarks/adder_overhead.py [--steps 10000] [--repeats 5]
       [--profile]   (cProfile of the troupe n-step run, top functions)
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from typing import Callable, Dict, List

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import dm_env  # noqa: E402
import numpy as np  # noqa: E402
import reverb  # noqa: E402

from troupe import specs  # noqa: E402
from troupe import types  # noqa: E402
from troupe.components import adders  # noqa: E402
import common  # noqa: E402

N_STEP = 3
DISCOUNT = 0.99
SEQUENCE_LENGTH = 10
PERIOD = 5
MAX_IN_FLIGHT = 5
F32 = np.float32

ENV_SPEC = specs.EnvironmentSpec(
    observations=specs.Array((4,), F32), actions=specs.DiscreteArray(2),
    rewards=specs.Array((), F32), discounts=specs.BoundedArray((), F32, 0., 1.))


def make_episodes(num_steps: int, seed: int = 0):
    """Pre-generated (first timestep, [(action, timestep), ...]) episodes."""
    rng = np.random.default_rng(seed)
    episodes, total = [], 0
    while total < num_steps:
        length = min(int(rng.integers(190, 211)), num_steps - total)
        observations = rng.normal(size=(length + 1, 4)).astype(F32)
        steps = []
        for t in range(length):
            last = t == length - 1
            steps.append((np.int32(rng.integers(2)), dm_env.TimeStep(
                dm_env.StepType.LAST if last else dm_env.StepType.MID,
                F32(1.0), F32(0.0) if last else F32(1.0), observations[t + 1])))
        episodes.append((dm_env.restart(observations[0]), steps))
        total += length
    return episodes


def run_adder(adder: adders.Adder, episodes) -> int:
    steps = 0
    for first, episode in episodes:
        adder.add_first(first)
        for action, timestep in episode:
            adder.add(action, timestep)
        steps += len(episode)
    return steps


def _returns(rewards, discounts, g):
    """n-step return and discount of a window, plain Python floats."""
    ret, disc = 0.0, 1.0
    for i, (r, d) in enumerate(zip(rewards, discounts)):
        ret += disc * r
        disc *= d * (g if i < len(rewards) - 1 else 1.0)
    return F32(ret), F32(disc)


def raw_nstep(client: reverb.Client, table: str, episodes) -> int:
    """The simplest hand-written n-step writer: one dict row per step.

    Row t+1 holds o_{t+1}, a_t and the return of the transition ending at
    s_{t+1}; row 0 holds o_0; extra rows hold the trailing returns.
    """
    writer = client.trajectory_writer(num_keep_alive_refs=N_STEP + 1)
    g, steps = float(F32(DISCOUNT)), 0
    for first, episode in episodes:
        writer.append({'observation': first.observation})
        rewards, discounts = [], []
        for action, timestep in episode:
            rewards.append(float(timestep.reward))
            discounts.append(float(timestep.discount))
            k = min(len(rewards), N_STEP)
            ret, disc = _returns(rewards[-k:], discounts[-k:], g)
            writer.append({'observation': timestep.observation, 'action': action,
                           'return': ret, 'discount': disc})
            h = writer.history
            writer.create_item(table, 1.0, types.Transition(
                h['observation'][-k - 1], h['action'][-k], h['return'][-1],
                h['discount'][-1], h['observation'][-1], ()))
            writer.flush(MAX_IN_FLIGHT)
        for m in range(1, k):
            ret, disc = _returns(rewards[-k + m:], discounts[-k + m:], g)
            writer.append({'return': ret, 'discount': disc})
            h = writer.history
            writer.create_item(table, 1.0, types.Transition(
                h['observation'][-k - 1], h['action'][-k], h['return'][-1],
                h['discount'][-1], h['observation'][-m - 1], ()))
            writer.flush(MAX_IN_FLIGHT)
        writer.end_episode()
        steps += len(episode)
    writer.close()
    return steps


def raw_nstep_lean(client: reverb.Client, table: str, episodes) -> int:
    """The leanest hand-written n-step writer: flat rows, cached columns."""
    writer = client.trajectory_writer(num_keep_alive_refs=N_STEP + 1)
    g, steps, cols = F32(DISCOUNT), 0, None
    for first, episode in episodes:
        writer.append([first.observation, None, None, None])
        rewards, discounts = [], []
        for action, timestep in episode:
            rewards.append(timestep.reward)
            discounts.append(timestep.discount)
            k = min(len(rewards), N_STEP)
            ret, disc = rewards[-k], discounts[-k]
            for r, d in zip(rewards[len(rewards) - k + 1:],
                            discounts[len(rewards) - k + 1:]):
                disc = disc * g
                ret = ret + r * disc
                disc = disc * d
            writer.append([timestep.observation, action, ret, disc])
            if cols is None:
                cols = writer.history
            o, a, r_col, d_col = cols
            writer.create_item(table, 1.0, [o[-k - 1], a[-k], r_col[-1], d_col[-1],
                                            o[-1]])
            writer.flush(MAX_IN_FLIGHT)
        for m in range(1, k):
            ret, disc = rewards[-k + m], discounts[-k + m]
            for r, d in zip(rewards[len(rewards) - k + m + 1:],
                            discounts[len(rewards) - k + m + 1:]):
                disc = disc * g
                ret = ret + r * disc
                disc = disc * d
            writer.append([None, None, ret, disc])
            writer.create_item(table, 1.0, [o[-k - 1], a[-k], r_col[-1], d_col[-1],
                                            o[-m - 1]])
            writer.flush(MAX_IN_FLIGHT)
        writer.end_episode()
        steps += len(episode)
    writer.close()
    return steps


def raw_sequence(client: reverb.Client, table: str, episodes) -> int:
    """Hand-written SequenceAdder(10, 5, ZERO_PAD): one dict row per step."""
    writer = client.trajectory_writer(num_keep_alive_refs=SEQUENCE_LENGTH)
    steps = 0

    def write(length):
        h = writer.history
        writer.create_item(table, 1.0, adders.Step(
            *(h[f][-length:] for f in adders.Step._fields[:5]), extras=()))
        writer.flush(2)

    for first, episode in episodes:
        observation, start, rows = first.observation, True, 0
        for action, timestep in episode:
            writer.append({'observation': observation, 'action': action,
                           'reward': timestep.reward, 'discount': timestep.discount,
                           'start_of_episode': start})
            observation, start, rows = timestep.observation, False, rows + 1
            if rows == SEQUENCE_LENGTH or (rows > SEQUENCE_LENGTH and (
                    rows - SEQUENCE_LENGTH) % PERIOD == 0):
                write(SEQUENCE_LENGTH)
        writer.append({'observation': observation, 'action': np.zeros_like(action),
                       'reward': F32(0), 'discount': F32(0), 'start_of_episode': False})
        rows += 1
        pad = (SEQUENCE_LENGTH - rows) % PERIOD if rows > SEQUENCE_LENGTH else \
            SEQUENCE_LENGTH - rows
        zero = {'observation': np.zeros(4, F32), 'action': np.zeros_like(action),
                'reward': F32(0), 'discount': F32(0), 'start_of_episode': False}
        for _ in range(pad):
            writer.append(zero)
        write(SEQUENCE_LENGTH)
        writer.end_episode()
        steps += len(episode)
    writer.close()
    return steps


def check_same_items(episodes) -> None:
    """Checks, on two episodes and FIFO tables, that all writers agree item by item."""
    fifo = {n: reverb.Table.queue(n, 10_000, signature=sig) for n, sig in [
        ('troupe_nstep', adders.NStepTransitionAdder.signature(ENV_SPEC)),
        ('raw_nstep', adders.NStepTransitionAdder.signature(ENV_SPEC)),
        ('lean_nstep', adders.NStepTransitionAdder.signature(ENV_SPEC)),
        ('troupe_seq', adders.SequenceAdder.signature(ENV_SPEC, (), SEQUENCE_LENGTH)),
        ('raw_seq', adders.SequenceAdder.signature(ENV_SPEC, (), SEQUENCE_LENGTH))]}
    server = reverb.Server(list(fifo.values()))
    client = reverb.Client(f'localhost:{server.port}')
    run_adder(adders.NStepTransitionAdder(client, N_STEP, DISCOUNT,
                                          priority_fns={'troupe_nstep': None}), episodes)
    raw_nstep(client, 'raw_nstep', episodes)
    raw_nstep_lean(client, 'lean_nstep', episodes)
    run_adder(adders.SequenceAdder(client, SEQUENCE_LENGTH, PERIOD,
                                   priority_fns={'troupe_seq': None}), episodes)
    raw_sequence(client, 'raw_seq', episodes)

    def items(table):
        size = client.server_info()[table].current_size
        return [s.data for s in client.sample(table, num_samples=size,
                                              emit_timesteps=False)]
    for ours, theirs in [('troupe_nstep', 'raw_nstep'), ('troupe_nstep', 'lean_nstep'),
                         ('troupe_seq', 'raw_seq')]:
        a, b = items(ours), items(theirs)
        assert len(a) == len(b) > 0, (ours, len(a), theirs, len(b))
        for x, y in zip(a, b):
            for u, v in zip(x, y):
                np.testing.assert_allclose(u, v, rtol=1e-6)
                assert u.dtype == v.dtype, (ours, theirs, u.dtype, v.dtype)
        # Refill the troupe tables for the next comparison.
        if ours == 'troupe_nstep' and theirs == 'raw_nstep':
            run_adder(adders.NStepTransitionAdder(
                client, N_STEP, DISCOUNT, priority_fns={'troupe_nstep': None}),
                episodes)
    server.stop()


def _table(name: str, signature) -> reverb.Table:
    return reverb.Table(name, sampler=reverb.selectors.Uniform(),
                        remover=reverb.selectors.Fifo(), max_size=1_000_000,
                        rate_limiter=reverb.rate_limiters.MinSize(1),
                        signature=signature)


def interleaved_rates(fns: Dict[str, Callable[[], int]],
                      repeats: int) -> Dict[str, Dict[str, float]]:
    """Times each fn `repeats` times, interleaved so machine noise hits all alike."""
    rates: Dict[str, List[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            units = fn()
            rates[name].append(units / (time.perf_counter() - start))
    return {name: {'median': statistics.median(r), 'best': max(r), 'runs': r}
            for name, r in rates.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--steps', type=int, default=10_000)
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--profile', action='store_true')
    args = parser.parse_args()

    episodes = make_episodes(args.steps)
    check_same_items(episodes[:2])
    transition_sig = adders.NStepTransitionAdder.signature(ENV_SPEC)
    sequence_sig = adders.SequenceAdder.signature(ENV_SPEC, (), SEQUENCE_LENGTH)
    names = ['troupe_nstep', 'raw_nstep', 'lean_nstep', 'troupe_seq', 'raw_seq']
    server = reverb.Server([_table(n, sequence_sig if n.endswith('seq')
                                   else transition_sig) for n in names])
    client = reverb.Client(f'localhost:{server.port}')

    def troupe_nstep():
        adder = adders.NStepTransitionAdder(
            client, N_STEP, DISCOUNT, priority_fns={'troupe_nstep': None},
            max_in_flight_items=MAX_IN_FLIGHT)
        return run_adder(adder, episodes)

    def troupe_seq():
        adder = adders.SequenceAdder(client, SEQUENCE_LENGTH, PERIOD,
                                     priority_fns={'troupe_seq': None})
        return run_adder(adder, episodes)

    fns = {
        'troupe_nstep': troupe_nstep,
        'raw_nstep': lambda: raw_nstep(client, 'raw_nstep', episodes),
        'lean_nstep': lambda: raw_nstep_lean(client, 'lean_nstep', episodes),
        'troupe_seq': troupe_seq,
        'raw_seq': lambda: raw_sequence(client, 'raw_seq', episodes),
    }
    for fn in fns.values():  # Warm-up (writer creation, signature fetches).
        fn()
    rates = interleaved_rates(fns, args.repeats)

    info = client.server_info()
    sizes = {n: info[n].current_size for n in names}
    assert sizes['troupe_nstep'] == sizes['raw_nstep'] == sizes['lean_nstep'], sizes
    assert sizes['troupe_seq'] == sizes['raw_seq'], sizes
    print(f'items per run: n-step {sizes["troupe_nstep"] // (args.repeats + 1)}, '
          f'sequence {sizes["troupe_seq"] // (args.repeats + 1)}')

    med = {name: r['median'] for name, r in rates.items()}
    ratios = {
        'nstep_troupe_over_raw': med['raw_nstep'] / med['troupe_nstep'],
        'nstep_troupe_over_lean': med['lean_nstep'] / med['troupe_nstep'],
        'sequence_troupe_over_raw': med['raw_seq'] / med['troupe_seq'],
    }
    print(f'{args.steps} steps, median of {args.repeats} interleaved runs (steps/s):')
    for name in names:
        print(f'  {name:<14} {med[name]:>9,.0f}   (best {rates[name]["best"]:,.0f})')
    for name, value in ratios.items():
        print(f'  {name:<26} {value:.3f}x time per step '
              f'({"within" if value <= 1.2 else "OVER"} the 1.2x goal)')

    path = common.write_results('adder_overhead', {
        'steps': args.steps, 'repeats': args.repeats, 'n_step': N_STEP,
        'sequence_length': SEQUENCE_LENGTH, 'period': PERIOD,
        'steps_per_second': rates, 'ratios': ratios, 'goal': 1.2})
    print(f'wrote {os.path.relpath(path)}')

    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(troupe_nstep)
        pstats.Stats(profiler).sort_stats('tottime').print_stats(15)
    server.stop()


if __name__ == '__main__':
    main()
