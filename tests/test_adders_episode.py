"""EpisodeAdder and ForkingAdder against a real Reverb server."""

import dm_env
import numpy as np
import pytest
import reverb

from troupe import types
from troupe.components import adders
from tests import adder_helpers as helpers


def _episode(num_observations):
    """Observations 0 .. num_observations-1, action t, reward t + 0.5."""
    first = dm_env.restart(0)
    steps = [(t, dm_env.transition(reward=t + 0.5, observation=t + 1))
             for t in range(num_observations - 2)]
    t = num_observations - 2
    steps.append((t, dm_env.termination(reward=t + 0.5, observation=t + 1)))
    return first, steps


def _expected_rows(num_observations):
    rows = [(t, t, t + 0.5, 1.0, t == 0, ()) for t in range(num_observations - 1)]
    rows[-1] = rows[-1][:3] + (0.0,) + rows[-1][4:]
    rows.append((num_observations - 1, 0, 0.0, 0.0, False, ()))
    return rows


@pytest.mark.parametrize('length', [2, 3, 10])
def test_episode_is_one_item(reverb_server_factory, length):
    first, steps = _episode(length)
    signature = adders.EpisodeAdder.signature(*helpers.specs_of(steps[0]))
    client = helpers.make_client(reverb_server_factory, signature)
    adder = adders.EpisodeAdder(client, max_sequence_length=length)
    helpers.run_episode(adder, first, steps)
    helpers.run_episode(adder, *_episode(2))
    items = helpers.read_items(client)
    assert len(items) == 2
    helpers.assert_nest_close(items[0][0], helpers.stack_steps(_expected_rows(length)))
    helpers.assert_nest_close(items[1][0], helpers.stack_steps(_expected_rows(2)))


@pytest.mark.parametrize('padding_fn, pad_value', [
    (np.zeros, 0), (lambda shape, dtype: np.full(shape, -1, dtype), -1)])
def test_padding_fills_up_to_max_sequence_length(reverb_server_factory, padding_fn,
                                                 pad_value):
    first, steps = _episode(3)
    signature = adders.EpisodeAdder.signature(*helpers.specs_of(steps[0]), 5)
    client = helpers.make_client(reverb_server_factory, signature)
    adder = adders.EpisodeAdder(client, max_sequence_length=5, padding_fn=padding_fn)
    helpers.run_episode(adder, first, steps)
    (data, _), = helpers.read_items(client)
    pad = (pad_value, pad_value, float(pad_value), float(pad_value), False, ())
    helpers.assert_nest_close(data, helpers.stack_steps(_expected_rows(3) + [pad, pad]))
    assert data.action.dtype == np.int64 and data.reward.dtype == np.float64


def test_too_long_episode_names_the_lengths(reverb_server_factory):
    first, steps = _episode(5)
    signature = adders.EpisodeAdder.signature(*helpers.specs_of(steps[0]))
    client = helpers.make_client(reverb_server_factory, signature)
    adder = adders.EpisodeAdder(client, max_sequence_length=4)
    adder.add_first(first)
    for step in steps[:3]:
        adder.add(*step)
    with pytest.raises(ValueError, match=r'already has 3 steps.*at least 5, more '
                                         r'than max_sequence_length=4'):
        adder.add(*steps[3])
    assert helpers.read_items(client) == []
    # The adder still works: after a reset, an episode that fits is written.
    adder.reset()
    helpers.run_episode(adder, *_episode(4))
    (data, _), = helpers.read_items(client)
    helpers.assert_nest_close(data, helpers.stack_steps(_expected_rows(4)))


def test_priority_fn_sees_the_whole_episode(reverb_server_factory):
    first, steps = _episode(4)
    signature = adders.EpisodeAdder.signature(*helpers.specs_of(steps[0]))
    client = helpers.make_client(reverb_server_factory, signature)
    adder = adders.EpisodeAdder(
        client, max_sequence_length=10,
        priority_fns={adders.DEFAULT_PRIORITY_TABLE: lambda s: np.sum(s.reward)})
    helpers.run_episode(adder, first, steps)
    # Rewards 0.5, 1.5, 2.5 and the final step's 0.
    assert [p for _, p in helpers.read_items(client)] == [4.5]


def test_bad_max_sequence_length_is_named():
    with pytest.raises(ValueError, match='max_sequence_length must be an integer >= 2'
                                         '.*got 1'):
        adders.EpisodeAdder(reverb.Client('localhost:1'), 1)


def test_forking_adder_feeds_every_adder(reverb_server_factory):
    first, steps = _episode(3)
    spec = helpers.specs_of(steps[0])
    server = reverb_server_factory([
        reverb.Table.queue('transitions', 100,
                           signature=adders.NStepTransitionAdder.signature(*spec)),
        reverb.Table.queue('episodes', 100,
                           signature=adders.EpisodeAdder.signature(*spec))])
    client = reverb.Client(f'localhost:{server.port}')
    forking = adders.ForkingAdder([
        adders.NStepTransitionAdder(client, 1, 1.0, priority_fns={'transitions': None}),
        adders.EpisodeAdder(client, 10, priority_fns={'episodes': None})])
    helpers.run_episode(forking, first, steps)
    transitions = [d for d, _ in helpers.read_items(client, 'transitions')]
    assert len(transitions) == 2
    helpers.assert_nest_close(transitions[0], types.Transition(0, 0, 0.5, 1.0, 1))
    helpers.assert_nest_close(transitions[1], types.Transition(1, 1, 1.5, 0.0, 2))
    (episode, _), = helpers.read_items(client, 'episodes')
    helpers.assert_nest_close(episode, helpers.stack_steps(_expected_rows(3)))


def test_forking_adder_rejects_non_adders():
    with pytest.raises(TypeError, match="expects Adder instances, got 'x'"):
        adders.ForkingAdder(['x'])
