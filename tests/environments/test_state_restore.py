"""State save/restore: every saveable environment replays the same future exactly.

Each case takes a snapshot mid-episode, plays K random actions across at least
one episode end and reset (so the generators are covered), restores and
replays them, restores the same snapshot again, and restores a pickled copy
into a second instance built with the same arguments: all four futures must be
identical, step type, reward, discount and observation.
"""

import pickle

import dm_env
import numpy as np
import pytest
import tree

from troupe import environments, errors
from troupe.environments import state, wrappers
from troupe.environments.key_door_rooms import KeyDoorRooms


def _discrete(n):
    return lambda rng: int(rng.integers(n))


def _force(rng):
    return rng.uniform(-1.0, 1.0, size=(1,)).astype(np.float32)


def _wrapped_cartpole():
    env = wrappers.SinglePrecisionWrapper(environments.CartPole(seed=2))
    env = wrappers.FrameStackingWrapper(env, num_frames=3)
    return wrappers.StepLimitWrapper(env, step_limit=15)


def _wrapped_catch():
    env = wrappers.NoopStartsWrapper(environments.Catch(seed=4), noop_action=1, noop_max=3,
                                     seed=5)
    env = wrappers.ActionRepeatWrapper(env, num_repeats=2)
    return wrappers.ObservationActionRewardWrapper(env)


# name: (constructor, action sampler, warm-up steps, K steps).
CASES = {
    'gridworld': (lambda: environments.build_gridworld_task('obstacle', max_episode_length=12),
                  _discrete(4), 5, 40),
    'deep_sea': (lambda: environments.DeepSea(size=6, seed=3), _discrete(2), 3, 20),
    'catch': (lambda: environments.Catch(seed=1), _discrete(3), 4, 30),
    'cartpole': (lambda: environments.CartPole(seed=2), _discrete(2), 5, 80),
    'pendulum': (lambda: environments.Pendulum(max_episode_steps=20, seed=0), _force, 5, 50),
    'mountain_car_continuous': (
        lambda: environments.MountainCarContinuous(max_episode_steps=25, seed=0), _force, 5, 60),
    'key_door_rooms': (lambda: KeyDoorRooms(max_episode_steps=20, action_noise=0.3, seed=0),
                       _discrete(4), 7, 50),
    'key_door_rooms_grid': (
        lambda: KeyDoorRooms(3, 4, max_episode_steps=15, observation_type='grid',
                             action_noise=0.5, seed=1), _discrete(4), 3, 40),
    'wrapped_cartpole': (_wrapped_cartpole, _discrete(2), 6, 40),
    'wrapped_catch': (_wrapped_catch, _discrete(3), 2, 30),
}
if hasattr(environments, 'MountainCar'):  # The discrete MountainCar-v0.
    CASES['mountain_car'] = (lambda: environments.MountainCar(max_episode_steps=25, seed=0),
                             _discrete(3), 5, 60)


def _record(env, actions):
    """Plays `actions`; returns copies of every timestep's fields."""
    recorded = []
    for action in actions:
        timestep = env.step(action)
        recorded.append((timestep.step_type, timestep.reward, timestep.discount,
                         tree.map_structure(np.array, timestep.observation)))
    return recorded


def _assert_same(expected, actual):
    assert len(expected) == len(actual)
    for t, (want, got) in enumerate(zip(expected, actual)):
        assert want[0] == got[0], f'step type differs at step {t}'
        assert want[1] == got[1] and want[2] == got[2], f'reward/discount differ at step {t}'
        tree.map_structure(np.testing.assert_array_equal, want[3], got[3])


def _assert_data_only(value):
    if isinstance(value, (tuple, list)):
        for item in value:
            _assert_data_only(item)
    elif isinstance(value, dict):
        for item in value.values():
            _assert_data_only(item)
    else:
        assert isinstance(value, (type(None), bool, int, float, str, bytes, np.ndarray,
                                  np.generic)), type(value)


def _check_replay(make, sample, warmup, k, seed=0):
    rng = np.random.default_rng(seed)
    env = make()
    env.reset()
    for _ in range(warmup):
        env.step(sample(rng))
    snapshot = env.get_state()
    _assert_data_only(snapshot)
    frozen = pickle.dumps(snapshot)
    actions = [sample(rng) for _ in range(k)]
    future = _record(env, actions)
    step_types = [entry[0] for entry in future]
    assert dm_env.StepType.LAST in step_types, 'K must cross an episode end'
    assert step_types.index(dm_env.StepType.FIRST) > step_types.index(dm_env.StepType.LAST)
    env.set_state(snapshot)
    _assert_same(future, _record(env, actions))
    env.set_state(snapshot)  # The same snapshot, restored a second time.
    _assert_same(future, _record(env, actions))
    assert pickle.dumps(snapshot) == frozen  # Restoring did not change the snapshot.
    other = make()  # A second instance, never reset, gets a pickled copy.
    other.set_state(pickle.loads(frozen))
    _assert_same(future, _record(other, actions))


@pytest.mark.parametrize('name', sorted(CASES))
def test_restore_replays_the_same_future(name):
    make, sample, warmup, k = CASES[name]
    assert environments.supports_state(make())
    _check_replay(make, sample, warmup, k)


@pytest.mark.parametrize('name', ['catch', 'key_door_rooms', 'wrapped_cartpole'])
def test_snapshot_at_last_starts_a_new_episode_like_dm_env(name):
    make, sample, _, _ = CASES[name]
    rng = np.random.default_rng(1)
    env = make()
    env.reset()
    while not env.step(sample(rng)).last():
        pass
    snapshot = env.get_state()
    after = _record(env, [sample(rng) for _ in range(3)])
    assert after[0][0] == dm_env.StepType.FIRST and after[0][1] is None
    env.set_state(snapshot)
    again = _record(env, [sample(rng) for _ in range(3)])  # Other actions: FIRST ignores them.
    _assert_same(after[:1], again[:1])


def test_step_limit_wrapper_restores_its_own_step_count():
    env = wrappers.StepLimitWrapper(environments.CartPole(max_episode_steps=None, seed=0), 5)
    env.reset()
    env.step(0)
    env.step(1)
    snapshot = env.get_state()
    assert snapshot.environment == 'StepLimitWrapper'
    assert snapshot.data['_elapsed'] == 2 and snapshot.data['inner'].environment == 'CartPole'
    types = [env.step(a).step_type for a in (0, 1, 0)]
    assert types == [dm_env.StepType.MID, dm_env.StepType.MID, dm_env.StepType.LAST]
    env.set_state(snapshot)
    assert env.step(0).mid() and env.step(1).mid() and env.step(0).last()


def test_builtin_snapshot_contents():
    env = environments.Catch(seed=3)
    env.reset()
    env.step(2)
    snapshot = env.get_state()
    assert snapshot.environment == 'Catch'
    assert snapshot.config == {'rows': 10, 'columns': 5}
    assert set(snapshot.data) == {'_ball_row', '_ball_column', '_paddle_column',
                                  '_total_regret', '_reset_next_step', 'rng'}
    assert snapshot.data['_ball_row'] == 1 and snapshot.data['_paddle_column'] == 3
    assert snapshot.data['_reset_next_step'] is False
    assert snapshot.data['rng']['bit_generator'] == 'PCG64'


def test_mismatched_snapshots_are_refused():
    catch = environments.Catch(seed=0)
    catch.reset()
    deep_sea = environments.DeepSea(size=5, seed=1)
    deep_sea.reset()
    with pytest.raises(errors.InvalidInput,
                       match=r'Cannot restore a snapshot of Catch into DeepSea; expected a '
                             r'snapshot of DeepSea'):
        deep_sea.set_state(catch.get_state())
    with pytest.raises(errors.InvalidInput, match=r'its size is 5 but this environment has 6'):
        environments.DeepSea(size=6, seed=1).set_state(deep_sea.get_state())
    with pytest.raises(errors.InvalidInput, match=r'its right_actions is'):
        environments.DeepSea(size=5, seed=2).set_state(deep_sea.get_state())
    with pytest.raises(errors.InvalidInput, match=r'its rows is 10 but this environment has 7'):
        environments.Catch(rows=7).set_state(catch.get_state())
    with pytest.raises(errors.InvalidInput, match=r'Catch.set_state expects a Snapshot from '
                                                  r'get_state\(\), got dict'):
        catch.set_state({'_ball_row': 0})
    limited = wrappers.StepLimitWrapper(environments.Catch(seed=0), 10)
    limited.reset()
    with pytest.raises(errors.InvalidInput, match=r'snapshot of StepLimitWrapper into Catch'):
        catch.set_state(limited.get_state())
    with pytest.raises(errors.InvalidInput, match=r'its step_limit is 10 but this environment '
                                                  r'has 20'):
        wrappers.StepLimitWrapper(environments.Catch(seed=0), 20).set_state(limited.get_state())
    with pytest.raises(errors.InvalidInput, match=r'snapshot of Catch into '
                                                  r'StepLimitWrapper\(Catch\)'):
        limited.set_state(catch.get_state())


def test_environments_without_support_raise_a_clear_error():
    bandit = environments.Bandit(seed=0)
    assert not environments.supports_state(bandit)
    with pytest.raises(errors.InvalidInput,
                       match=r'The environment Bandit cannot save and restore its state '
                             r'\(get_state/set_state\): Bandit does not implement it'):
        environments.check_supports_state(bandit)
    with pytest.raises(errors.InvalidInput, match=r'Bandit does not implement it'):
        bandit.get_state()
    wrapped = wrappers.StepLimitWrapper(wrappers.SinglePrecisionWrapper(bandit), 3)
    with pytest.raises(errors.InvalidInput,
                       match=r'StepLimitWrapper\(SinglePrecisionWrapper\(Bandit\)\) cannot save'):
        wrapped.get_state()
    video = wrappers.VideoWrapper(environments.Catch(), directory='unused')
    with pytest.raises(errors.InvalidInput, match=r'VideoWrapper records episodes to files'):
        environments.check_supports_state(video)
    with pytest.raises(errors.InvalidInput, match=r'object has no get_state\(\)/set_state\(\)'):
        environments.check_supports_state(object())
    assert environments.check_supports_state(environments.Catch()) is not None


def test_gymnasium_environments_other_than_ale_refuse():
    pytest.importorskip('gymnasium')
    env = environments.make('gym:CartPole-v1', seed=0)
    env.reset()
    assert not environments.supports_state(env)
    with pytest.raises(errors.InvalidInput,
                       match=r'GymnasiumWrapper\(CartPole-v1\) cannot save and restore its '
                             r'state .*CartPoleEnv has no simulator state troupe can save'):
        env.get_state()
    with pytest.raises(errors.InvalidInput, match=r'CartPoleEnv has no simulator state'):
        env.set_state(environments.CartPole().get_state())


def test_copy_data_refuses_live_objects():
    with pytest.raises(TypeError, match=r"state\['x'\] is a object; snapshots hold numpy"):
        state.copy_data({'x': object()})
    with pytest.raises(TypeError, match=r'object array'):
        state.copy_data(np.array([None, 1], dtype=object))
    value = {'a': np.arange(3), 'b': (1, 2.5, 'c', b'd', None)}
    copied = state.copy_data(value)
    value['a'][0] = 7
    assert copied['a'].tolist() == [0, 1, 2] and copied['b'] == (1, 2.5, 'c', b'd', None)


def test_dm_control_restores_physics_task_random_and_model_changes():
    pytest.importorskip('dm_control')
    # reacher moves its target (a model change) at each reset; the step count,
    # the task's RandomState and the integration state are restored too.
    def make():
        return environments.make('dm_control:reacher/easy', seed=3,
                                 task_kwargs={'time_limit': 0.4})
    _check_replay(make, lambda rng: rng.uniform(-1.0, 1.0, size=(2,)), 5, 30)
    env = make()
    env.reset()
    with pytest.raises(errors.InvalidInput, match=r"its task is 'Reacher' but this "
                                                  r"environment has 'Balance'"):
        environments.make('dm_control:cartpole/balance', seed=0).set_state(env.get_state())


def test_atari_restores_the_emulator_and_every_wrapper():
    pytest.importorskip('gymnasium')
    pytest.importorskip('ale_py')
    pytest.importorskip('cv2')
    from troupe.environments.adapters import gymnasium_envs

    def make():
        # Sticky actions (ALE's generator), a gymnasium TimeLimit of 160 frames
        # (40 agent steps), random no-op starts and the DQN preprocessing.
        raw = gymnasium_envs.make_gymnasium('ALE/Pong-v5', seed=1, frameskip=1,
                                            repeat_action_probability=0.25,
                                            max_episode_steps=160)
        env = wrappers.NoopStartsWrapper(raw, noop_max=8, seed=2)
        return wrappers.AtariWrapper(env, lives_fn=lambda: raw.info.get('lives'))
    _check_replay(make, _discrete(6), 10, 45)
    pong = make()
    pong.reset()
    breakout = gymnasium_envs.make_gymnasium('ALE/Breakout-v5', seed=0, frameskip=1)
    with pytest.raises(errors.InvalidInput, match=r"its id is 'ALE/Pong-v5' but this "
                                                  r"environment has 'ALE/Breakout-v5'"):
        breakout.set_state(pong.get_state().data['inner'].data['inner'])
