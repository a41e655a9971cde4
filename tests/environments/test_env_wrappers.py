"""Wrappers: the specs they report and the values they produce."""

import os

import dm_env
import numpy as np
import pytest
from dm_env import specs

from troupe.environments import (Bandit, CartPole, Catch, CooperativeNavigation, DeepSea,
                                 InvalidActionError, MountainCarContinuous, ObservationType,
                                 Pendulum, build_gridworld_task, wrappers)

UP, RIGHT, DOWN, LEFT = 0, 1, 2, 3


def test_single_precision_converts_specs_and_values():
    env = wrappers.SinglePrecisionWrapper(build_gridworld_task('simple'))
    assert env.observation_spec() == specs.DiscreteArray(
            90, dtype=np.int32, name='observation_state_index')
    assert env.action_spec() == specs.DiscreteArray(4, dtype=np.int32, name='action')
    assert env.reward_spec() == specs.Array((), np.float32)
    assert env.discount_spec() == specs.BoundedArray((), np.float32, 0.0, 1.0)
    first = env.reset()
    assert first.observation.dtype == np.int32 and first.observation == 22
    assert first.reward is None and first.discount is None
    timestep = env.step(np.int32(RIGHT))
    assert timestep.reward.dtype == np.float32 and timestep.reward == 0.0
    assert timestep.discount.dtype == np.float32 and timestep.discount == np.float32(0.9)


def test_single_precision_keeps_32_bit_values_and_bounds():
    env = wrappers.SinglePrecisionWrapper(Pendulum(seed=0))
    assert env.observation_spec() == Pendulum().observation_spec()
    assert env.action_spec() == Pendulum().action_spec()
    timestep = env.step(np.zeros(1, np.float32))
    assert timestep.observation.dtype == np.float32


def test_step_limit_truncates_with_the_inner_discount():
    env = wrappers.StepLimitWrapper(build_gridworld_task('simple', max_episode_length=None), 3)
    env.reset()
    steps = [env.step(LEFT) for _ in range(3)]
    assert [t.step_type for t in steps] == [dm_env.StepType.MID] * 2 + [dm_env.StepType.LAST]
    assert steps[-1].discount == 0.9
    restarted = env.step(LEFT)
    assert restarted.first() and restarted.observation == 22
    assert env.step(DOWN).observation == 32  # The count restarted too.
    with pytest.raises(ValueError, match=r'step_limit must be a positive int, got 0'):
        wrappers.StepLimitWrapper(CartPole(), 0)


def test_step_limit_keeps_inner_terminations():
    env = wrappers.StepLimitWrapper(Catch(seed=0), 100)
    env.reset()
    steps = [env.step(1) for _ in range(9)]
    assert steps[-1].last() and steps[-1].discount == 0.0


def test_frame_stacking_specs_and_values():
    env = wrappers.FrameStackingWrapper(Catch(seed=0), num_frames=3)
    assert env.observation_spec() == specs.BoundedArray((10, 5, 3), np.float32, 0.0, 1.0,
                                                        name='board')
    raw = Catch(seed=0)
    first_raw = raw.reset().observation
    first = env.reset().observation
    assert first.shape == (10, 5, 3)
    np.testing.assert_array_equal(first[..., 0], np.zeros((10, 5)))
    np.testing.assert_array_equal(first[..., 1], np.zeros((10, 5)))
    np.testing.assert_array_equal(first[..., 2], first_raw)
    second = env.step(0).observation
    np.testing.assert_array_equal(second[..., 1], first_raw)
    np.testing.assert_array_equal(second[..., 2], raw.step(0).observation)
    for _ in range(8):
        last = env.step(0)
    assert last.last()
    np.testing.assert_array_equal(env.reset().observation[..., :2], np.zeros((10, 5, 2)))


def test_frame_stacking_flatten():
    env = wrappers.FrameStackingWrapper(CartPole(seed=0), num_frames=2, flatten=True)
    assert env.observation_spec() == specs.Array((8,), np.float32, name='observation')
    first = env.reset().observation
    second = env.step(0).observation
    np.testing.assert_array_equal(second.reshape(4, 2)[:, 0], first.reshape(4, 2)[:, 1])


def test_canonical_spec_rescales_to_the_original_bounds():
    env = wrappers.CanonicalSpecWrapper(Pendulum(seed=1))
    assert env.action_spec() == specs.BoundedArray((1,), np.float32, -1.0, 1.0, name='action')
    reference = Pendulum(seed=1)
    env.reset()
    reference.reset()
    for canonical, raw in [(1.0, 2.0), (-1.0, -2.0), (0.0, 0.0), (0.25, 0.5)]:
        ours = env.step(np.array([canonical], np.float32))
        theirs = reference.step(np.array([raw], np.float32))
        np.testing.assert_array_equal(ours.observation, theirs.observation)
        assert ours.reward == theirs.reward
    with pytest.raises(InvalidActionError, match=r'out of bounds'):
        env.step(np.array([1.5], np.float32))


def test_canonical_spec_clip_and_asymmetric_bounds():
    env = wrappers.CanonicalSpecWrapper(MountainCarContinuous(seed=0), clip=True)
    np.testing.assert_array_equal(env.scale_action(np.array([3.0], np.float32)), [1.0])
    env.reset()
    assert env.step(np.array([-7.0], np.float32)).reward == pytest.approx(-0.1, abs=1e-12)
    np.testing.assert_array_equal(
            wrappers.CanonicalSpecWrapper(Pendulum()).scale_action([0.5]), [1.0])
    nested = wrappers.CanonicalSpecWrapper(CooperativeNavigation(num_agents=2))
    scaled = nested.scale_action({'0': [0.5, -1.0], '1': np.zeros(2, np.float32)})
    np.testing.assert_array_equal(scaled['0'], np.array([0.5, -1.0], np.float32))
    discrete = wrappers.CanonicalSpecWrapper(Catch())
    assert discrete.action_spec() == Catch().action_spec()
    assert discrete.scale_action(2) == 2


def test_concat_observation_flattens_a_dict_in_key_order():
    env = wrappers.ConcatObservationWrapper(CooperativeNavigation(num_agents=3, seed=0))
    assert env.observation_spec() == specs.Array((42,), np.float32, name='observation')
    reference = CooperativeNavigation(num_agents=3, seed=0)
    observation = env.reset().observation
    parts = reference.reset().observation
    np.testing.assert_array_equal(observation,
                                  np.concatenate([parts['0'], parts['1'], parts['2']]))
    only_one = wrappers.ConcatObservationWrapper(CooperativeNavigation(seed=0),
                                                 name_filter=['1'])
    np.testing.assert_array_equal(only_one.reset().observation, parts['1'])
    with pytest.raises(ValueError, match=r"\['9'\] that are not in"):
        wrappers.ConcatObservationWrapper(CooperativeNavigation(), name_filter=['9'])
    with pytest.raises(TypeError, match=r'needs a non-empty dict observation spec'):
        wrappers.ConcatObservationWrapper(CartPole())


def test_observation_action_reward():
    env = wrappers.ObservationActionRewardWrapper(build_gridworld_task('simple'))
    spec = env.observation_spec()
    assert isinstance(spec, wrappers.OAR)
    assert spec.action == env.action_spec() and spec.reward == env.reward_spec()
    first = env.reset().observation
    assert first.observation == 22
    assert first.action == 0 and first.action.dtype == np.int64
    assert first.reward == 0.0 and first.reward.dtype == np.float64
    bumped = env.step(np.int32(UP)).observation  # (1, 2) is free.
    assert (bumped.observation, bumped.action, bumped.reward) == (12, UP, 0.0)
    bumped = env.step(UP).observation
    assert (bumped.observation, bumped.action, bumped.reward) == (12, UP, -5.0)
    assert bumped.action.dtype == np.int64


def test_action_repeat_discounts_the_inner_rewards():
    env = wrappers.ActionRepeatWrapper(build_gridworld_task('simple'), num_repeats=2)
    env.reset()
    timestep = env.step(RIGHT)  # (2, 2) -> (2, 3), then a bump into (2, 4).
    assert timestep.reward == 0.0 + 0.9 * -5.0
    assert timestep.discount == 0.9 * 0.9
    assert timestep.observation == 23 and timestep.mid()


def test_action_repeat_stops_at_the_end_of_an_episode():
    inner = build_gridworld_task('simple')
    env = wrappers.ActionRepeatWrapper(inner, num_repeats=3)
    env.reset()
    inner.set_state(2, 6)
    timestep = env.step(DOWN)
    assert (timestep.step_type, timestep.reward, timestep.discount) == (
            dm_env.StepType.LAST, 10.0, 0.0)
    assert env.step(DOWN).first()


def test_noop_starts_takes_a_seeded_number_of_noops():
    noops = np.random.default_rng(4).integers(4)
    env = wrappers.NoopStartsWrapper(build_gridworld_task('simple'), noop_action=DOWN,
                                     noop_max=3, seed=4)
    first = env.reset()
    assert first.first() and first.reward is None and first.discount is None
    assert first.observation == 22 + 10 * noops


def test_noop_starts_restarts_episodes_that_end_during_noops():
    inner = build_gridworld_task('simple', max_episode_length=2)
    env = wrappers.NoopStartsWrapper(inner, noop_action=DOWN, noop_max=5, seed=0)
    for _ in range(10):
        first = env.reset()
        assert first.first() and first.observation in (22, 32)


def test_spec_validation_accepts_built_in_environments():
    rng = np.random.default_rng(0)
    environments = [build_gridworld_task(task, observation_type=kind)
                    for task in ('simple', 'obstacle') for kind in ObservationType]
    environments += [Catch(seed=0), CartPole(seed=0), Pendulum(seed=0), DeepSea(seed=0),
                     Bandit(seed=0),
                     MountainCarContinuous(seed=0), CooperativeNavigation(seed=0)]
    for environment in environments:
        env = wrappers.SpecValidationWrapper(environment)
        env.reset()
        spec = env.action_spec()
        for _ in range(60):
            if isinstance(spec, dict):
                action = {k: rng.uniform(-1, 1, 2).astype(np.float32) for k in spec}
            elif isinstance(spec, specs.DiscreteArray):
                action = int(rng.integers(spec.num_values))
            else:
                action = rng.uniform(spec.minimum, spec.maximum, spec.shape).astype(spec.dtype)
            env.step(action)


class _RewardSpecSaysFloat32(wrappers.EnvironmentWrapper):
    """Claims float32 rewards while the inner environment gives Python floats."""

    def reward_spec(self):
        return specs.Array((), np.float32, name='reward')


def test_spec_validation_names_a_bad_field():
    env = wrappers.SpecValidationWrapper(_RewardSpecSaysFloat32(Catch(seed=0)))
    env.reset()
    with pytest.raises(ValueError, match=r'The reward 0.0 of a MID timestep does not fit'):
        env.step(1)
    with pytest.raises(InvalidActionError, match=r'Action 3 .*out of bounds'):
        env.step(3)


def test_wrappers_forward_unknown_attributes():
    env = wrappers.SinglePrecisionWrapper(wrappers.StepLimitWrapper(
            build_gridworld_task('obstacle'), 10))
    assert env.goal_state == (2, 8)
    assert env.model.rewards.shape == (90, 4)
    assert env.render().shape == (180, 200, 3)
    with pytest.raises(AttributeError):
        env.no_such_attribute
    with pytest.raises(TypeError, match=r'wraps a dm_env.Environment, got 3'):
        wrappers.StepLimitWrapper(3, 10)


def test_video_wrapper_records_the_chosen_episodes(tmp_path):
    env = wrappers.VideoWrapper(Catch(seed=0), str(tmp_path), episodes=[1],
                                video_format='npz', fps=10, render_kwargs={'cell_size': 2})
    reference = Catch(seed=0)
    for episode in range(3):
        env.reset()
        reference.reset()
        if episode == 1:
            first_frame = reference.render(cell_size=2)
        for _ in range(9):
            env.step(1)
    assert env.paths == [os.path.join(str(tmp_path), 'episode_000001.npz')]
    assert sorted(os.listdir(tmp_path)) == ['episode_000001.npz']
    with np.load(env.paths[0]) as video:
        assert video['frames'].shape == (10, 20, 10, 3) and video['fps'] == 10.0
        np.testing.assert_array_equal(video['frames'][0], first_frame)


def test_video_wrapper_gif_and_mp4(tmp_path):
    image = pytest.importorskip('PIL.Image')
    env = wrappers.VideoWrapper(DeepSea(size=4, seed=0), str(tmp_path),
                                episodes=lambda episode: True, video_format='gif')
    env.reset()
    for _ in range(4):
        env.step(0)
    with image.open(env.paths[0]) as gif:
        assert gif.n_frames == 5 and gif.size == (64, 64)
    cv2 = pytest.importorskip('cv2')
    env = wrappers.VideoWrapper(CartPole(seed=0), str(tmp_path), episodes=[0],
                                video_format='mp4', prefix='cartpole')
    env.reset()
    for _ in range(5):
        env.step(0)
    env.close()  # Writes the unfinished episode.
    capture = cv2.VideoCapture(env.paths[0])
    frames = 0
    while capture.read()[0]:
        frames += 1
    assert frames == 6 and env.paths[0].endswith('cartpole_000000.mp4')


def test_video_wrapper_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match=r"video_format must be one of .* got 'avi'"):
        wrappers.VideoWrapper(Catch(), str(tmp_path), video_format='avi')
    with pytest.raises(ValueError, match=r'Unknown video format'):
        wrappers.video.write_video(str(tmp_path / 'x.avi'), [np.zeros((2, 2, 3))], 10)
