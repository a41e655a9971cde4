"""BatchedEnvironment: batched specs and timesteps, per-copy seeds, auto-reset,
nested nests, the process pool against in-process stepping, and bad input."""

import dm_env
import numpy as np
import pytest

from troupe import environments
from troupe.environments import BatchedEnvironment, InvalidActionError
from troupe.environments.batched import unbatch
from tests.scripted_env import ScriptedEnvironment

FIRST, MID, LAST = dm_env.StepType.FIRST, dm_env.StepType.MID, dm_env.StepType.LAST


def scripted(seed, lengths=((1,), (2,))):
    """Copy `seed` of a batch of scripted environments (module level: picklable)."""
    return ScriptedEnvironment(episode_lengths=lengths[seed])


def test_specs_are_those_of_one_copy_and_reset_is_batched():
    single = environments.make('cartpole', seed=3)
    with BatchedEnvironment('cartpole', 4, seed=3) as env:
        assert env.num_envs == 4 and env.num_workers == 0
        assert env.observation_spec() == single.observation_spec()
        assert env.action_spec() == single.action_spec()
        assert env.reward_spec() == single.reward_spec()
        assert env.discount_spec() == single.discount_spec()
        timestep = env.reset()
        np.testing.assert_array_equal(timestep.step_type, [FIRST] * 4)
        assert timestep.step_type.dtype == np.int32
        assert timestep.observation.shape == (4, 4)
        assert timestep.observation.dtype == np.float32
        # FIRST copies carry reward 0 and discount 1 in the batched arrays.
        np.testing.assert_array_equal(timestep.reward, np.zeros(4))
        np.testing.assert_array_equal(timestep.discount, np.ones(4))
        assert timestep.reward.dtype == single.reward_spec().dtype
        np.testing.assert_array_equal(timestep.observation[0],
                                      single.reset().observation)


def test_copies_are_seeded_and_step_like_single_environments():
    batch = BatchedEnvironment('cartpole', 3, seed=10, max_episode_steps=6)
    singles = [environments.make('cartpole', seed=10 + i, max_episode_steps=6)
               for i in range(3)]
    assert batch.seeds == [10, 11, 12]
    assert [env.seed for env in batch.environments] == [10, 11, 12]
    rng = np.random.default_rng(0)
    batched = batch.reset()
    expected = [env.reset() for env in singles]
    resets = 0
    for step in range(25):
        for got, want in zip(unbatch(batched), expected):
            assert got.step_type is want.step_type
            assert got.reward == want.reward and got.discount == want.discount
            np.testing.assert_array_equal(got.observation, want.observation)
        actions = rng.integers(0, 2, size=3)
        batched = batch.step(actions)
        # Built-in environments reset after LAST themselves, ignoring the action.
        expected = [env.step(a) for env, a in zip(singles, actions)]
        resets += int(np.sum(batched.step_type == FIRST))
    assert resets >= 9  # Every copy ended several 6-step episodes.


def test_seed_none_gives_every_copy_none():
    env = BatchedEnvironment('cartpole', 2)
    assert env.seeds == [None, None]
    assert [copy.seed for copy in env.environments] == [None, None]


def test_auto_reset_ignores_the_action_and_reports_first():
    env = BatchedEnvironment(scripted, 2, seed=0)  # Copy lengths 1 and 2.
    env.reset()
    timestep = env.step(np.array([1, 1]))
    np.testing.assert_array_equal(timestep.step_type, [LAST, MID])
    np.testing.assert_array_equal(timestep.reward, [1, 1])
    np.testing.assert_array_equal(timestep.discount, [0, 1])
    assert timestep.reward.dtype == np.float32
    timestep = env.step(np.array([0, 1]))
    np.testing.assert_array_equal(timestep.step_type, [FIRST, LAST])
    np.testing.assert_array_equal(timestep.reward, [0, 2])  # FIRST: reward 0.
    np.testing.assert_array_equal(timestep.discount, [1, 0])  # FIRST: discount 1.
    np.testing.assert_array_equal(timestep.observation, [[1, 0], [0, 2]])
    timestep = env.step(np.array([0, 0]))
    np.testing.assert_array_equal(timestep.step_type, [LAST, FIRST])
    copy_0, copy_1 = env.environments
    assert copy_0.actions == [1, 0]  # The action at its reset (0) was ignored.
    assert copy_1.actions == [1, 1]


def test_step_before_reset_resets_every_copy():
    env = BatchedEnvironment(scripted, 2, seed=0)
    timestep = env.step(np.array([1, 1]))
    np.testing.assert_array_equal(timestep.step_type, [FIRST, FIRST])
    assert [copy.actions for copy in env.environments] == [[], []]


def test_unbatch_gives_dm_env_timesteps_with_none_for_first():
    env = BatchedEnvironment(scripted, 2, seed=0)
    env.reset()
    env.step(np.array([1, 1]))
    first, last = env.unbatch(env.step(np.array([1, 1])))
    assert first == dm_env.TimeStep(FIRST, None, None, first.observation)
    assert first.step_type is FIRST and first.first()
    assert last.step_type is LAST and last.last()
    assert (last.reward, last.discount) == (2.0, 0.0)
    np.testing.assert_array_equal(last.observation, [0, 2])


def test_nested_observations_rewards_and_actions():
    batch = BatchedEnvironment('cooperative_navigation', 2, seed=4)
    singles = [environments.make('cooperative_navigation', seed=4 + i) for i in range(2)]
    spec = batch.action_spec()
    batched, expected = batch.reset(), [env.reset() for env in singles]
    assert set(batched.observation) == set(spec)
    assert batched.reward == {key: pytest.approx([0, 0]) for key in spec}
    rng = np.random.default_rng(1)
    for _ in range(5):
        for i, want in enumerate(expected):
            for key in spec:
                np.testing.assert_array_equal(batched.observation[key][i],
                                              want.observation[key])
                if want.reward is not None:
                    assert batched.reward[key][i] == want.reward[key]
                    assert batched.discount[key][i] == want.discount[key]
        actions = {key: rng.uniform(-1, 1, (2,) + s.shape).astype(s.dtype)
                   for key, s in spec.items()}
        batched = batch.step(actions)
        expected = [env.step({key: a[i] for key, a in actions.items()})
                    for i, env in enumerate(singles)]


def test_process_pool_matches_in_process_stepping():
    kwargs = dict(seed=1, max_episode_steps=7)
    local = BatchedEnvironment('cartpole', 5, **kwargs)
    pool = BatchedEnvironment('cartpole', 5, processes=2, **kwargs)
    try:
        assert pool.num_workers == 2
        assert pool.action_spec() == local.action_spec()
        rng = np.random.default_rng(2)
        timesteps = [(local.reset(), pool.reset())]
        for _ in range(30):
            actions = rng.integers(0, 2, size=5)
            timesteps.append((local.step(actions), pool.step(actions)))
        for want, got in timesteps:
            for field in dm_env.TimeStep._fields:
                np.testing.assert_array_equal(getattr(got, field), getattr(want, field))
                assert getattr(got, field).dtype == getattr(want, field).dtype
        assert sum(int(np.sum(w.step_type == LAST)) for w, _ in timesteps) >= 15
        # An error in a worker is raised here, with its own type.
        with pytest.raises(InvalidActionError, match='7'):
            pool.step(np.array([0, 0, 0, 7, 0]))
        with pytest.raises(ValueError, match='live in worker processes'):
            pool.environments
    finally:
        pool.close()
        pool.close()  # Closing twice is harmless.
        local.close()
    with pytest.raises(ValueError, match='closed'):
        pool.reset()


def test_bad_input_errors():
    for bad in (0, -1, 2.5, True, '3'):
        with pytest.raises(ValueError, match=f'num_envs must be an integer >= 1, got '
                                             f'{bad!r}'):
            BatchedEnvironment('cartpole', bad)
    with pytest.raises(ValueError, match='registry name or a callable'):
        BatchedEnvironment(3, 2)
    with pytest.raises(ValueError, match='Unknown|unknown'):
        BatchedEnvironment('no-such-env', 2)
    for bad in (0, 3, 'yes'):
        with pytest.raises(ValueError, match=r'processes must be False, True or a '
                                             r'number of workers in \[1, num_envs = 2\]'):
            BatchedEnvironment('cartpole', 2, processes=bad)
    with pytest.raises(ValueError, match='picklable'):
        BatchedEnvironment(lambda seed: ScriptedEnvironment(), 2, processes=1)

    env = BatchedEnvironment('cartpole', 2, seed=0)
    env.reset()
    for actions, shape in ((np.array([0, 1, 0]), r'\(3,\)'), (np.int64(1), r'\(\)'),
                           (np.zeros((1, 2), np.int64), r'\(1, 2\)')):
        with pytest.raises(ValueError, match=f'leading axis of 2, got an action of '
                                             f'shape {shape}'):
            env.step(actions)
    with pytest.raises(InvalidActionError):
        env.step(np.array([0, 2]))

    nested = BatchedEnvironment('cooperative_navigation', 2, seed=0)
    spec = nested.action_spec()
    with pytest.raises(ValueError, match='structure of the action spec'):
        nested.step({'0': np.zeros((2, 2), np.float32)})
    with pytest.raises(ValueError, match=r'leading axis of 2, got an action of shape '
                                         r'\(3, 2\)'):
        nested.step({key: np.zeros((3,) + s.shape, s.dtype) for key, s in spec.items()})
    env.close()
    with pytest.raises(ValueError, match='closed'):
        env.step(np.array([0, 1]))
