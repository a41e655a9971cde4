"""SequenceAdder against a real Reverb server: every EndBehavior, exact items."""

import dm_env
import numpy as np
import pytest
import reverb
import tensorflow as tf

from troupe import specs
from troupe.components import adders
from tests import adder_helpers as helpers

EB = adders.EndBehavior


def _episode(rewards, last=dm_env.termination):
    """Observations 1, 2, ... with action 0 and the given rewards."""
    steps = [(0, dm_env.transition(reward=r, observation=t + 2))
             for t, r in enumerate(rewards[:-1])]
    steps.append((0, last(reward=rewards[-1], observation=len(rewards) + 1)))
    return dm_env.restart(1), steps


# Rows are (observation, action, reward, discount, start_of_episode, extras);
# F is the final observation's row, Z a zero-padding row.
def _row(obs, reward, discount=1.0, start=False):
    return (obs, 0, reward, discount, start, ())


def _final(obs):
    return (obs, 0, 0.0, 0.0, False, ())


Z = (0, 0, 0.0, 0.0, False, ())
FOUR = [2.0, 3.0, 5.0, 7.0]
R = {1: _row(1, 2.0, start=True), 2: _row(2, 3.0), 3: _row(3, 5.0)}

CASES = [
    ('period_one', 3, 1, EB.ZERO_PAD, FOUR, [
        [R[1], R[2], R[3]], [R[2], R[3], _row(4, 7.0, 0.0)],
        [R[3], _row(4, 7.0, 0.0), _final(5)]]),
    ('period_two', 3, 2, EB.ZERO_PAD, FOUR, [
        [R[1], R[2], R[3]], [R[3], _row(4, 7.0, 0.0), _final(5)]]),
    ('short_episode_zero_pad', 4, 2, EB.ZERO_PAD, [2.0, 3.0], [
        [R[1], _row(2, 3.0, 0.0), _final(3), Z]]),
    ('short_episode_truncate', 4, 1, EB.TRUNCATE, [2.0, 3.0], [
        [R[1], _row(2, 3.0, 0.0), _final(3)]]),
    ('short_episode_write_drops_it', 4, 1, EB.WRITE, [2.0, 3.0], []),
    ('long_episode_zero_pad', 3, 3, EB.ZERO_PAD, [2., 3., 5., 7., 9., 11., 13.], [
        [R[1], R[2], R[3]], [_row(4, 7.), _row(5, 9.), _row(6, 11.)],
        [_row(7, 13., 0.0), _final(8), Z]]),
    ('long_episode_truncate', 3, 3, EB.TRUNCATE, [2., 3., 5., 7., 9., 11., 13.], [
        [R[1], R[2], R[3]], [_row(4, 7.), _row(5, 9.), _row(6, 11.)],
        [_row(7, 13., 0.0), _final(8)]]),
    ('write_takes_the_latest_full_sequence', 3, 2, EB.WRITE, [2., 3., 5., 7., 8.], [
        [R[1], R[2], R[3]], [R[3], _row(4, 7.), _row(5, 8., 0.0)],
        [_row(4, 7.), _row(5, 8., 0.0), _final(6)]]),
    ('zero_pad_one_zero_row', 4, 3, EB.ZERO_PAD, [2., 3., 5., 7., 9.], [
        [R[1], R[2], R[3], _row(4, 7.)], [_row(4, 7.), _row(5, 9., 0.0), _final(6), Z]]),
    ('zero_pad_two_zero_rows', 4, 3, EB.ZERO_PAD, FOUR, [
        [R[1], R[2], R[3], _row(4, 7., 0.0)], [_row(4, 7., 0.0), _final(5), Z, Z]]),
]


@pytest.mark.parametrize('name, length, period, behavior, rewards, expected', CASES,
                         ids=[c[0] for c in CASES])
def test_sequences(reverb_server_factory, name, length, period, behavior, rewards,
                   expected):
    first, steps = _episode(rewards)
    signature = adders.SequenceAdder.signature(*helpers.specs_of(steps[0]))
    client = helpers.make_client(reverb_server_factory, signature)
    adder = adders.SequenceAdder(client, sequence_length=length, period=period,
                                 end_of_episode_behavior=behavior)
    helpers.run_episode(adder, first, steps)
    items = helpers.read_items(client)
    assert len(items) == len(expected)
    for (data, priority), want in zip(items, expected):
        helpers.assert_nest_close(data, helpers.stack_steps(want))
        assert data.start_of_episode.dtype == bool
        assert priority == 1.0


def test_continue_runs_sequences_across_episodes(reverb_server_factory):
    first, steps = _episode([2., 3., 5., 7., 9., 13.])
    signature = adders.SequenceAdder.signature(*helpers.specs_of(steps[0]), 3)
    client = helpers.make_client(reverb_server_factory, signature)
    adder = adders.SequenceAdder(client, sequence_length=3, period=2,
                                 end_of_episode_behavior=EB.CONTINUE)
    for _ in range(3):
        helpers.run_episode(adder, first, steps)
    adder.flush()
    r4, r5, r6, f7 = _row(4, 7.), _row(5, 9.), _row(6, 13., 0.0), _final(7)
    r1, r2, r3 = R[1], R[2], R[3]
    expected = [[r1, r2, r3], [r3, r4, r5], [r5, r6, f7], [f7, r1, r2], [r2, r3, r4],
                [r4, r5, r6], [r6, f7, r1], [r1, r2, r3], [r3, r4, r5], [r5, r6, f7]]
    items = helpers.read_items(client)
    assert len(items) == len(expected)
    for (data, _), want in zip(items, expected):
        helpers.assert_nest_close(data, helpers.stack_steps(want))


def test_truncation_keeps_the_discount_and_pads_the_final_step(reverb_server_factory):
    first, steps = _episode([2.0, 3.0], last=dm_env.truncation)
    signature = adders.SequenceAdder.signature(*helpers.specs_of(steps[0]))
    client = helpers.make_client(reverb_server_factory, signature)
    adder = adders.SequenceAdder(client, sequence_length=3, period=3)
    helpers.run_episode(adder, first, steps)
    (data, _), = helpers.read_items(client)
    helpers.assert_nest_close(data, helpers.stack_steps(
        [R[1], _row(2, 3.0, 1.0), _final(3)]))


def test_nested_observations_and_extras(reverb_server_factory):
    def obs(t):
        return {'pos': np.array([t, -t], np.float32), 'id': np.int32(t)}
    steps = [(np.array([1., 2.], np.float32),
              dm_env.transition(reward=1.0, observation=obs(2)),
              {'logits': np.float32(0.5)}),
             (np.array([3., 4.], np.float32),
              dm_env.termination(reward=2.0, observation=obs(3)),
              {'logits': np.float32(1.5)})]
    env_spec, extras_spec = helpers.specs_of(steps[0])
    signature = adders.SequenceAdder.signature(env_spec, extras_spec)
    client = helpers.make_client(reverb_server_factory, signature)
    adder = adders.SequenceAdder(client, sequence_length=3, period=1)
    helpers.run_episode(adder, dm_env.restart(obs(1)), steps)
    (data, _), = helpers.read_items(client)
    expected = helpers.stack_steps([
        (obs(1), np.array([1., 2.], np.float32), 1.0, 1.0, True,
         {'logits': np.float32(.5)}),
        (obs(2), np.array([3., 4.], np.float32), 2.0, 0.0, False,
         {'logits': np.float32(1.5)}),
        (obs(3), np.zeros(2, np.float32), 0.0, 0.0, False, {'logits': np.float32(0)})])
    helpers.assert_nest_close(data, expected)
    assert data.observation['id'].dtype == np.int32
    assert data.extras['logits'].dtype == np.float32


def test_priority_fn_sees_the_sequence_as_numpy(reverb_server_factory):
    first, steps = _episode(FOUR)
    signature = adders.SequenceAdder.signature(*helpers.specs_of(steps[0]))
    client = helpers.make_client(reverb_server_factory, signature)
    seen = []

    def priority(step):
        seen.append(step)
        return float(np.sum(step.reward * step.observation))

    adder = adders.SequenceAdder(client, sequence_length=2, period=2,
                                 priority_fns={adders.DEFAULT_PRIORITY_TABLE: priority})
    helpers.run_episode(adder, first, steps)
    # Sequences (1, 2), (3, 4), (5=F, Z): 1*2 + 2*3, 3*5 + 4*7, 0.
    assert [p for _, p in helpers.read_items(client)] == [8.0, 43.0, 0.0]
    np.testing.assert_array_equal(seen[1].start_of_episode, [False, False])
    np.testing.assert_array_equal(seen[2].observation, [5, 0])


@pytest.mark.parametrize('pad, brk, expected', [
    (None, None, EB.ZERO_PAD), (True, True, EB.ZERO_PAD), (False, True, EB.TRUNCATE),
    (False, False, EB.CONTINUE), (None, False, EB.CONTINUE)])
def test_deprecated_flags_map_to_end_behavior(pad, brk, expected):
    adder = adders.SequenceAdder(reverb.Client('localhost:1'), 5, 3,
                                 pad_end_of_episode=pad, break_end_of_episode=brk)
    assert adder.end_of_episode_behavior is expected


def test_conflicting_end_arguments_are_rejected():
    client = reverb.Client('localhost:1')
    with pytest.raises(ValueError, match='not both'):
        adders.SequenceAdder(client, 5, 3, end_of_episode_behavior=EB.WRITE,
                             pad_end_of_episode=True)
    with pytest.raises(ValueError, match='needs break_end_of_episode'):
        adders.SequenceAdder(client, 5, 3, pad_end_of_episode=True,
                             break_end_of_episode=False)
    with pytest.raises(ValueError, match="must be an EndBehavior, got 'pad'"):
        adders.SequenceAdder(client, 5, 3, end_of_episode_behavior='pad')
    with pytest.raises(ValueError, match='period must be an integer >= 1, got 0'):
        adders.SequenceAdder(client, 5, 0)


def test_add_before_add_first_raises():
    adder = adders.SequenceAdder(reverb.Client('localhost:1'), 2, 1)
    with pytest.raises(ValueError, match=r'add\(\) called before add_first\(\)'):
        adder.add(0, dm_env.transition(reward=1.0, observation=2))


def test_signature_has_a_time_dimension():
    env_spec = specs.EnvironmentSpec(
        observations=specs.Array((4,), np.float32), actions=specs.DiscreteArray(3),
        rewards=specs.Array((), np.float32), discounts=specs.Array((), np.float32))
    sig = adders.SequenceAdder.signature(
        env_spec, {'h': specs.Array((2,), np.float32)}, 5)
    assert sig.observation == tf.TensorSpec((5, 4), tf.float32, 'observation')
    assert sig.action == tf.TensorSpec((5,), tf.int32, 'action')
    assert sig.start_of_episode == tf.TensorSpec((5,), tf.bool, 'start_of_episode')
    assert sig.extras == {'h': tf.TensorSpec((5, 2), tf.float32, 'extras/h')}


def test_period_longer_than_length_writes_no_all_padding_sequence(reverb_server_factory):
    # Length 2, period 3: sequences at rows 2, 5, 8, ... An episode of rows
    # 1, 2 and F=3 would next write at row 5, which holds none of its steps.
    first, steps = _episode([2.0, 3.0])
    signature = adders.SequenceAdder.signature(*helpers.specs_of(steps[0]))
    client = helpers.make_client(reverb_server_factory, signature)
    adder = adders.SequenceAdder(client, sequence_length=2, period=3)
    helpers.run_episode(adder, first, steps)
    helpers.run_episode(adder, *_episode([2.0, 3.0, 5.0]))
    items = [d for d, _ in helpers.read_items(client)]
    expected = [[R[1], _row(2, 3.0, 0.0)],                # Episode 1, row 2.
                [R[1], R[2]], [_final(4), Z]]             # Episode 2, rows 2 and 5.
    assert len(items) == len(expected)
    for data, want in zip(items, expected):
        helpers.assert_nest_close(data, helpers.stack_steps(want))
