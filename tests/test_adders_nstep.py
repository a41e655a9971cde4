"""NStepTransitionAdder against a real Reverb server: exact n-step values."""

import dm_env
import numpy as np
import pytest
import reverb
import tensorflow as tf

from troupe import specs
from troupe import types
from troupe.components import adders
from troupe.components.adders import return_window
from tests import adder_helpers as helpers

T = types.Transition
F32 = np.float32

# (name, n_step, agent discount, first, steps, expected transitions). Expected
# rewards and discounts are worked out by hand from the n-step formula.
CASES = [
    ('one_step', 1, 1.0, dm_env.restart(1), [
        (0, dm_env.transition(reward=0.0, observation=2)),
        (0, dm_env.transition(reward=0.0, observation=3)),
        (0, dm_env.termination(reward=1.0, observation=4)),
    ], [T(1, 0, 0.0, 1.0, 2), T(2, 0, 0.0, 1.0, 3), T(3, 0, 1.0, 0.0, 4)]),
    ('one_step_dict_observation', 1, 1.0, dm_env.restart({'foo': 1}), [
        (0, dm_env.transition(reward=0.0, observation={'foo': 2})),
        (0, dm_env.termination(reward=1.0, observation={'foo': 3})),
    ], [T({'foo': 1}, 0, 0.0, 1.0, {'foo': 2}), T({'foo': 2}, 0, 1.0, 0.0, {'foo': 3})]),
    ('one_step_extras', 1, 1.0, dm_env.restart(1), [
        (0, dm_env.transition(reward=0.0, observation=2), {'state': 0}),
        (0, dm_env.transition(reward=0.0, observation=3), {'state': 1}),
        (0, dm_env.termination(reward=1.0, observation=4), {'state': 2}),
    ], [T(1, 0, 0.0, 1.0, 2, {'state': 0}), T(2, 0, 0.0, 1.0, 3, {'state': 1}),
        T(3, 0, 1.0, 0.0, 4, {'state': 2})]),
    # The example of the foundation issue.
    ('two_step', 2, 1.0, dm_env.restart(1), [
        (0, dm_env.transition(reward=1.0, observation=2, discount=0.5)),
        (0, dm_env.transition(reward=1.0, observation=3, discount=0.5)),
        (0, dm_env.termination(reward=1.0, observation=4)),
    ], [T(1, 0, 1.0, 0.50, 2), T(1, 0, 1.5, 0.25, 3), T(2, 0, 1.5, 0.00, 4),
        T(3, 0, 1.0, 0.00, 4)]),
    ('two_step_extras_are_those_of_the_first_step', 2, 1.0, dm_env.restart(1), [
        (0, dm_env.transition(reward=1.0, observation=2, discount=0.5), {'s': 0}),
        (0, dm_env.transition(reward=1.0, observation=3, discount=0.5), {'s': 1}),
        (0, dm_env.termination(reward=1.0, observation=4), {'s': 2}),
    ], [T(1, 0, 1.0, 0.50, 2, {'s': 0}), T(1, 0, 1.5, 0.25, 3, {'s': 0}),
        T(2, 0, 1.5, 0.00, 4, {'s': 1}), T(3, 0, 1.0, 0.00, 4, {'s': 2})]),
    ('two_step_tuple_reward', 2, 1.0, dm_env.restart(1), [
        (0, dm_env.transition(reward=(1.0, 2.0), observation=2, discount=0.5)),
        (0, dm_env.transition(reward=(1.0, 2.0), observation=3, discount=0.5)),
        (0, dm_env.termination(reward=(1.0, 2.0), observation=4)),
    ], [T(1, 0, (1.0, 2.0), (0.50, 0.50), 2), T(1, 0, (1.5, 3.0), (0.25, 0.25), 3),
        T(2, 0, (1.5, 3.0), (0.0, 0.0), 4), T(3, 0, (1.0, 2.0), (0.0, 0.0), 4)]),
    ('two_step_array_reward', 2, 1.0, dm_env.restart(1), [
        (0, dm_env.transition(reward=np.array([1., 2.]), observation=2, discount=0.5)),
        (0, dm_env.transition(reward=np.array([1., 2.]), observation=3, discount=0.5)),
        (0, dm_env.termination(reward=np.array([1., 2.]), observation=4)),
    ], [T(1, 0, np.array([1., 2.]), 0.5, 2), T(1, 0, np.array([1.5, 3.]), 0.25, 3),
        T(2, 0, np.array([1.5, 3.]), 0.0, 4), T(3, 0, np.array([1., 2.]), 0.0, 4)]),
    ('two_step_dict_discount', 2, 1.0, dm_env.restart(1), [
        (0, dm_env.transition(reward=1.0, observation=2, discount={'a': 0.5, 'b': 0.1})),
        (0, dm_env.transition(reward=1.0, observation=3, discount={'a': 0.5, 'b': 0.1})),
        (0, dm_env.termination(reward=1.0, observation=4)._replace(
            discount={'a': 0.0, 'b': 0.0})),
    ], [T(1, 0, {'a': 1.0, 'b': 1.0}, {'a': 0.5, 'b': 0.1}, 2),
        T(1, 0, {'a': 1.5, 'b': 1.1}, {'a': 0.25, 'b': 0.01}, 3),
        T(2, 0, {'a': 1.5, 'b': 1.1}, {'a': 0.0, 'b': 0.0}, 4),
        T(3, 0, {'a': 1.0, 'b': 1.0}, {'a': 0.0, 'b': 0.0}, 4)]),
    # dm_env.termination's scalar 0.0 is broadcast to the dict of discounts.
    ('two_step_dict_discount_scalar_termination', 2, 1.0, dm_env.restart(1), [
        (0, dm_env.transition(reward=1.0, observation=2, discount={'a': 0.5, 'b': 0.1})),
        (0, dm_env.termination(reward=2.0, observation=3)),
    ], [T(1, 0, {'a': 1.0, 'b': 1.0}, {'a': 0.5, 'b': 0.1}, 2),
        T(1, 0, {'a': 2.0, 'b': 1.2}, {'a': 0.0, 'b': 0.0}, 3),
        T(2, 0, {'a': 2.0, 'b': 2.0}, {'a': 0.0, 'b': 0.0}, 3)]),
    ('two_step_broadcast_arrays', 2, 1.0, dm_env.restart(1), [
        (0, dm_env.transition(reward=np.array([[1., 2.]]), observation=2,
                              discount=np.array([[0.5], [0.1]]))),
        (0, dm_env.termination(reward=np.array([[1., 2.]]), observation=3)._replace(
            discount=np.array([[0.0], [0.0]]))),
    ], [T(1, 0, np.array([[1., 2.], [1., 2.]]), np.array([[0.5], [0.1]]), 2),
        T(1, 0, np.array([[1.5, 3.], [1.1, 2.2]]), np.array([[0.0], [0.0]]), 3),
        T(2, 0, np.array([[1., 2.], [1., 2.]]), np.array([[0.0], [0.0]]), 3)]),
    ('two_step_dict_reward_array_discount', 2, 1.0, dm_env.restart(1), [
        (0, dm_env.transition(reward={'a': np.array([[1., 2.]])}, observation=2,
                              discount=np.array([[0.5], [0.1]]))),
        (0, dm_env.termination(reward={'a': np.array([[1., 2.]])}, observation=3)),
    ], [T(1, 0, {'a': np.array([[1., 2.], [1., 2.]])},
          {'a': np.array([[0.5], [0.1]])}, 2),
        T(1, 0, {'a': np.array([[1.5, 3.], [1.1, 2.2]])}, {'a': np.zeros((2, 1))}, 3),
        T(2, 0, {'a': np.array([[1., 2.], [1., 2.]])}, {'a': np.zeros((2, 1))}, 3)]),
    ('three_step_discounted', 3, 0.4, dm_env.restart(1), [
        (0, dm_env.transition(reward=1.0, observation=2, discount=0.5)),
        (0, dm_env.transition(reward=1.0, observation=3, discount=0.5)),
        (0, dm_env.termination(reward=1.0, observation=4)),
    ], [T(1, 0, 1.00, 0.5, 2), T(1, 0, 1.20, 0.1, 3), T(1, 0, 1.24, 0.0, 4),
        T(2, 0, 1.20, 0.0, 4), T(3, 0, 1.00, 0.0, 4)]),
    ('three_step_varying_reward', 3, 0.5, dm_env.restart(1), [
        (0, dm_env.transition(reward=2.0, observation=2)),
        (0, dm_env.transition(reward=3.0, observation=3)),
        (0, dm_env.transition(reward=5.0, observation=4)),
        (0, dm_env.termination(reward=7.0, observation=5)),
    ], [T(1, 0, 2.0, 1.0, 2), T(1, 0, 3.5, 0.5, 3), T(1, 0, 4.75, 0.25, 4),
        T(2, 0, 3 + 2.5 + 1.75, 0.0, 5), T(3, 0, 8.5, 0.0, 5), T(4, 0, 7.0, 0.0, 5)]),
    ('single_step_episode', 4, 1.0, dm_env.restart(1), [
        (0, dm_env.termination(reward=1.0, observation=2)),
    ], [T(1, 0, 1.0, 0.0, 2)]),
    ('episode_shorter_than_n', 4, 1.0, dm_env.restart(1), [
        (0, dm_env.transition(reward=1.0, observation=2)),
        (0, dm_env.termination(reward=1.0, observation=3)),
    ], [T(1, 0, 1.0, 1.0, 2), T(1, 0, 2.0, 0.0, 3), T(2, 0, 1.0, 0.0, 3)]),
    ('truncated_episode_keeps_its_discount', 2, 0.5, dm_env.restart(1), [
        (0, dm_env.transition(reward=1.0, observation=2)),
        (0, dm_env.truncation(reward=4.0, observation=3)),
    ], [T(1, 0, 1.0, 1.0, 2), T(1, 0, 3.0, 0.5, 3), T(2, 0, 4.0, 1.0, 3)]),
]


@pytest.mark.parametrize('name, n_step, discount, first, steps, expected', CASES,
                         ids=[c[0] for c in CASES])
def test_transitions(reverb_server_factory, name, n_step, discount, first, steps,
                     expected):
    signature = adders.NStepTransitionAdder.signature(*helpers.specs_of(steps[0]))
    client = helpers.make_client(reverb_server_factory, signature)
    adder = adders.NStepTransitionAdder(client, n_step, discount)
    helpers.run_episode(adder, first, steps)
    items = helpers.read_items(client)
    assert len(items) == len(expected)
    for (data, priority), want in zip(items, expected):
        assert isinstance(data, types.Transition)
        helpers.assert_nest_close(data, want)
        assert priority == 1.0


def test_n_step_return_by_hand():
    # r = 1, 2, 4; d = 0.5, 1, 0; g = 0.5:
    # R = 1 + 0.5*0.5*2 + 0.5^2*0.5*1*4 = 2.0, D = 0.5^2 * 0.5*1*0 = 0.
    ret, disc = return_window.n_step_return([1., 2., 4.], [.5, 1., 0.], .5)
    assert (ret, disc) == (2.0, 0.0)
    ret, disc = return_window.n_step_return([1., 2.], [.5, .8], .5)
    assert (ret, disc) == (1.5, 0.2)
    ret, disc = return_window.n_step_return([3.], [.9], .5)
    assert (ret, disc) == (3.0, 0.9)


def _reference_transitions(observations, rewards, discounts, n, g):
    """The n-step transitions of one episode, straight from the formula."""
    num_steps = len(rewards)
    out = []
    for start in range(num_steps):
        # Transitions ending at every state s_{start+1} .. s_{start+n}, but only
        # those Acme writes: full ones, the short ones from s_0, trailing ones.
        for end in range(start + 1, min(start + n, num_steps) + 1):
            full = end - start == n
            if not (full or start == 0 or end == num_steps):
                continue
            ret, disc = 0.0, 1.0
            for i in range(start, end):
                ret += disc * rewards[i]
                disc *= discounts[i] * (g if i < end - 1 else 1.0)
            out.append((start, end, ret, disc))
    # Order of writing: by end state, then (at the end) by start.
    out.sort(key=lambda t: (t[1], t[0]))
    return [T(observations[s], s, r, d, observations[e]) for s, e, r, d in out]


@pytest.mark.parametrize('n_step', [1, 2, 3, 5])
def test_long_episodes_match_the_formula(reverb_server_factory, n_step):
    rng = np.random.default_rng(n_step)
    g = 0.9
    episodes = []
    for length in (23, 2):
        rewards = rng.uniform(-1, 1, size=length).round(3).tolist()
        discounts = rng.choice([1.0, 0.5], size=length).tolist()
        discounts[-1] = 0.0
        observations = [np.array([t, t + 0.5], F32) for t in range(length + 1)]
        episodes.append((observations, rewards, discounts))
    first_steps = [(0, dm_env.transition(0.0, episodes[0][0][1], 1.0))]
    signature = adders.NStepTransitionAdder.signature(
        *helpers.specs_of(first_steps[0]))
    client = helpers.make_client(reverb_server_factory, signature)
    adder = adders.NStepTransitionAdder(client, n_step, g)

    expected = []
    for observations, rewards, discounts in episodes:
        steps = [(t, dm_env.TimeStep(
            dm_env.StepType.LAST if t == len(rewards) - 1 else dm_env.StepType.MID,
            rewards[t], discounts[t], observations[t + 1]))
            for t in range(len(rewards))]
        helpers.run_episode(adder, dm_env.restart(observations[0]), steps)
        expected += _reference_transitions(observations, rewards, discounts,
                                           n_step, float(F32(g)))
    items = helpers.read_items(client)
    assert len(items) == len(expected)
    for (data, _), want in zip(items, expected):
        helpers.assert_nest_close(data, want, rtol=1e-12)


def test_float32_environment_gives_float32_transitions(reverb_server_factory):
    env_spec = specs.EnvironmentSpec(
        observations=specs.Array((4,), F32), actions=specs.DiscreteArray(2),
        rewards=specs.Array((), F32), discounts=specs.BoundedArray((), F32, 0., 1.))
    signature = adders.NStepTransitionAdder.signature(env_spec)
    assert signature.reward == tf.TensorSpec((), tf.float32, 'reward')
    assert signature.discount.dtype == tf.float32
    assert signature.action.dtype == tf.int32
    client = helpers.make_client(reverb_server_factory, signature)
    adder = adders.NStepTransitionAdder(client, 2, 0.99)
    obs = [np.full(4, t, F32) for t in range(3)]
    adder.add_first(dm_env.restart(obs[0]))
    adder.add(np.int32(1), dm_env.transition(F32(0.1), obs[1], F32(0.9)))
    # termination's Python 0.0 discount is cast to the float32 of the episode.
    adder.add(np.int32(0), dm_env.termination(F32(0.3), obs[2]))
    data = [d for d, _ in helpers.read_items(client)]
    assert [d.reward.dtype for d in data] == [np.float32] * 3
    # float32 arithmetic, exactly as the adder defines it.
    assert data[1].reward == F32(0.1) + F32(0.3) * (F32(0.9) * F32(0.99))
    assert data[1].discount == F32(0)
    np.testing.assert_array_equal(data[2].observation, obs[1])
    assert data[2].action == 0


def test_episodes_do_not_leak_into_each_other(reverb_server_factory):
    steps = [(0, dm_env.transition(reward=1.0, observation=2, discount=0.5)),
             (0, dm_env.termination(reward=3.0, observation=3))]
    signature = adders.NStepTransitionAdder.signature(*helpers.specs_of(steps[0]))
    client = helpers.make_client(reverb_server_factory, signature)
    adder = adders.NStepTransitionAdder(client, 3, 1.0)
    for _ in range(2):
        helpers.run_episode(adder, dm_env.restart(1), steps)
    one = [T(1, 0, 1.0, 0.5, 2), T(1, 0, 2.5, 0.0, 3), T(2, 0, 3.0, 0.0, 3)]
    items = helpers.read_items(client)
    assert len(items) == 6
    for (data, _), want in zip(items, one + one):
        helpers.assert_nest_close(data, want)


def test_reset_drops_the_unfinished_episode(reverb_server_factory):
    steps = [(0, dm_env.transition(reward=1.0, observation=2))]
    signature = adders.NStepTransitionAdder.signature(*helpers.specs_of(steps[0]))
    client = helpers.make_client(reverb_server_factory, signature)
    adder = adders.NStepTransitionAdder(client, 2, 1.0)
    helpers.run_episode(adder, dm_env.restart(7), steps)
    adder.reset()
    helpers.run_episode(adder, dm_env.restart(1),
                        [(0, dm_env.termination(reward=5.0, observation=2))])
    data = [d for d, _ in helpers.read_items(client)]
    assert len(data) == 2
    helpers.assert_nest_close(data[0], T(7, 0, 1.0, 1.0, 2))
    helpers.assert_nest_close(data[1], T(1, 0, 5.0, 0.0, 2))


def test_priority_fns_prioritise_each_table(reverb_server_factory):
    steps = [(0, dm_env.transition(reward=1.0, observation=2, discount=0.5), 10),
             (0, dm_env.termination(reward=3.0, observation=3), 20)]
    signature = adders.NStepTransitionAdder.signature(*helpers.specs_of(steps[0]))
    client = helpers.make_client(reverb_server_factory, signature,
                                 tables=('uniform', 'by_return'))
    seen = []

    def by_return(transition):
        seen.append(transition)
        return transition.reward + transition.extras + transition.observation

    adder = adders.NStepTransitionAdder(
        client, 2, 1.0, priority_fns={'uniform': None, 'by_return': by_return})
    helpers.run_episode(adder, dm_env.restart(1), steps)
    # Transitions: (1->2, R 1.0, e 10), (1->3, R 2.5, e 10), (2->3, R 3.0, e 20).
    assert [p for _, p in helpers.read_items(client, 'by_return')] == [12., 13.5, 25.]
    assert [p for _, p in helpers.read_items(client, 'uniform')] == [1.0] * 3
    assert all(isinstance(leaf, np.ndarray) for t in seen for leaf in
               [t.observation, t.action, t.reward, t.discount, t.next_observation])
    helpers.assert_nest_close(seen[1], T(1, 0, 2.5, 0.0, 3, 10))


def test_add_priority_table_writes_to_one_more_table(reverb_server_factory):
    steps = [(0, dm_env.termination(reward=2.0, observation=2))]
    signature = adders.NStepTransitionAdder.signature(*helpers.specs_of(steps[0]))
    client = helpers.make_client(reverb_server_factory, signature,
                                 tables=(adders.DEFAULT_PRIORITY_TABLE, 'second'))
    adder = adders.NStepTransitionAdder(client, 1, 1.0)
    adder.add_priority_table('second', lambda t: 3 * t.reward)
    with pytest.raises(ValueError, match="already exists for table 'second'"):
        adder.add_priority_table('second', None)
    helpers.run_episode(adder, dm_env.restart(1), steps)
    assert [p for _, p in helpers.read_items(client)] == [1.0]
    assert [p for _, p in helpers.read_items(client, 'second')] == [6.0]


def test_add_before_add_first_raises():
    adder = adders.NStepTransitionAdder(reverb.Client('localhost:1'), 1, 1.0)
    with pytest.raises(ValueError, match=r'add\(\) called before add_first\(\)'):
        adder.add(0, dm_env.transition(reward=1.0, observation=2))


def test_add_first_needs_a_first_timestep():
    adder = adders.NStepTransitionAdder(reverb.Client('localhost:1'), 1, 1.0)
    with pytest.raises(ValueError, match='expects a FIRST timestep.*MID'):
        adder.add_first(dm_env.transition(reward=1.0, observation=2))


def test_add_first_twice_raises(reverb_server_factory):
    signature = adders.NStepTransitionAdder.signature(
        *helpers.specs_of((0, dm_env.transition(1.0, 2))))
    client = helpers.make_client(reverb_server_factory, signature)
    adder = adders.NStepTransitionAdder(client, 1, 1.0)
    adder.add_first(dm_env.restart(1))
    with pytest.raises(ValueError, match='call reset'):
        adder.add_first(dm_env.restart(1))


def test_changing_structure_is_rejected(reverb_server_factory):
    signature = adders.NStepTransitionAdder.signature(
        *helpers.specs_of((0, dm_env.transition(1.0, 2))))
    client = helpers.make_client(reverb_server_factory, signature)
    adder = adders.NStepTransitionAdder(client, 1, 1.0)
    helpers.run_episode(adder, dm_env.restart(1), [(0, dm_env.transition(1.0, 2))])
    with pytest.raises(ValueError, match=r'The action has 2 leaves .* had 1'):
        adder.add((0, 1), dm_env.transition(1.0, 3))


@pytest.mark.parametrize('n_step', [0, -1, 1.5, True])
def test_bad_n_step_is_named(n_step):
    with pytest.raises(ValueError,
                       match=f'n_step must be an integer >= 1, got {n_step}'):
        adders.NStepTransitionAdder(reverb.Client('localhost:1'), n_step, 1.0)


def test_signature_broadcasts_reward_and_discount_specs():
    env_spec = specs.EnvironmentSpec(
        observations={'pos': specs.Array((2,), F32)}, actions=specs.Array((), np.int32),
        rewards={'a': specs.Array((1, 2), F32), 'b': specs.Array((), np.int32)},
        discounts=specs.Array((3, 1), np.float64))
    sig = adders.NStepTransitionAdder.signature(
        env_spec, extras_spec={'h': specs.Array((5,), F32)})
    assert sig.reward == {'a': tf.TensorSpec((3, 2), tf.float64, 'reward/a'),
                          'b': tf.TensorSpec((3, 1), tf.float64, 'reward/b')}
    assert sig.discount == {'a': tf.TensorSpec((3, 1), tf.float64, 'discount/a'),
                            'b': tf.TensorSpec((3, 1), tf.float64, 'discount/b')}
    assert sig.observation == {'pos': tf.TensorSpec((2,), tf.float32, 'observation/pos')}
    assert sig.extras == {'h': tf.TensorSpec((5,), tf.float32, 'extras/h')}
