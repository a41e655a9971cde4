"""SpeakerListener: specs per agent, the message's one-step delay, the shared
reward, seeding, truncation, rendering and bad input."""

import dm_env
import numpy as np
import pytest
from dm_env import specs

import troupe
from troupe.environments import InvalidActionError, SpeakerListener, make, multiagent

LANDMARKS = [[0.0, 0.0], [1.0, 0.0], [0.0, -1.0]]


def _actions(message=(0.0, 0.0, 0.0), force=(0.0, 0.0)):
    return {'0': np.asarray(message, np.float32), '1': np.asarray(force, np.float32)}


def test_specs_differ_per_agent_and_follow_the_convention():
    env = make('speaker_listener', seed=0)
    spec = troupe.make_environment_spec(env)
    assert env.agent_ids == ('0', '1') == multiagent.agent_ids(2)
    assert spec.observations == {
        '0': specs.Array((3,), np.float32, name='observation_0'),
        '1': specs.Array((11,), np.float32, name='observation_1')}
    assert spec.actions == {
        '0': specs.BoundedArray((3,), np.float32, -1.0, 1.0, name='action_0'),
        '1': specs.BoundedArray((2,), np.float32, -1.0, 1.0, name='action_1')}
    assert spec.rewards['1'] == specs.Array((), np.float64, name='reward_1')
    assert SpeakerListener(num_landmarks=5).observation_spec()['1'].shape == (17,)


def test_the_listener_hears_the_message_one_step_later_and_both_share_the_reward():
    env = SpeakerListener(seed=0)
    env.reset()
    env.set_state(LANDMARKS, goal=1, listener=[0.0, 0.0])
    first = env._observations()
    np.testing.assert_array_equal(first['0'], [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(first['1'][-3:], [0.0, 0.0, 0.0])

    timestep = env.step(_actions(message=[0.25, -1.0, 0.5], force=[1.0, 0.0]))
    # v = sensitivity * force * dt = 0.5; p = v * dt = 0.05.
    np.testing.assert_allclose(env.listener_position, [0.05, 0.0])
    expected = np.array([0.5, 0.0, -0.05, 0.0, 0.95, 0.0, -0.05, -1.0,
                         0.25, -1.0, 0.5], np.float32)
    np.testing.assert_array_equal(timestep.observation['1'], expected)
    np.testing.assert_array_equal(timestep.observation['0'], [0.0, 1.0, 0.0])
    # The goal (1, 0) is 0.95 away: reward -0.95², the same for both agents.
    assert timestep.reward == {'0': -(0.95 ** 2), '1': -(0.95 ** 2)}
    assert timestep.discount == {'0': 1.0, '1': 1.0}

    # The speaker does not move anything: only the listener's force does.
    still = env.step(_actions(message=[1.0, 1.0, 1.0]))
    np.testing.assert_allclose(env.listener_position, [0.05 + 0.75 * 0.05, 0.0])
    np.testing.assert_array_equal(still.observation['1'][-3:], [1.0, 1.0, 1.0])


def test_reaching_the_goal_scores_zero_and_other_landmarks_do_not():
    env = SpeakerListener(seed=0)
    env.reset()
    env.set_state(LANDMARKS, goal=2, listener=[0.0, -1.0])
    assert env.step(_actions()).reward['0'] == 0.0
    env.set_state(LANDMARKS, goal=0, listener=[0.0, -1.0])
    assert env.step(_actions()).reward['1'] == -1.0


def test_seeds_repeat_episodes_and_goals_vary():
    first = SpeakerListener(seed=3)
    again = SpeakerListener(seed=3)
    goals = []
    for _ in range(30):
        a, b = first.reset().observation, again.reset().observation
        np.testing.assert_array_equal(a['1'], b['1'])
        goals.append(int(np.argmax(a['0'])))
        assert first.goal == goals[-1]
    assert set(goals) == {0, 1, 2}


def test_truncation_after_max_episode_steps():
    env = SpeakerListener(max_episode_steps=3, seed=1)
    env.reset()
    steps = [env.step(_actions()) for _ in range(3)]
    assert [t.step_type for t in steps] == ([dm_env.StepType.MID] * 2
                                            + [dm_env.StepType.LAST])
    assert env.step(_actions()).step_type == dm_env.StepType.FIRST


def test_render_draws_the_goal_larger():
    env = SpeakerListener(seed=0)
    env.reset()
    image = env.render(size=60)
    assert image.shape == (60, 60, 3) and image.dtype == np.uint8
    assert len(np.unique(image.reshape(-1, 3), axis=0)) >= 4  # 3 landmarks, listener.


def test_bad_input_is_refused_by_value():
    with pytest.raises(ValueError, match='num_landmarks must be an integer >= 2, got 1'):
        SpeakerListener(num_landmarks=1)
    with pytest.raises(ValueError, match='max_episode_steps must be >= 1, got 0'):
        SpeakerListener(max_episode_steps=0)
    env = SpeakerListener(seed=0)
    env.reset()
    with pytest.raises(ValueError, match=r'goal must be a landmark index in \[0, 3\), '
                                         r'got 3'):
        env.set_state(LANDMARKS, goal=3, listener=[0.0, 0.0])
    with pytest.raises(InvalidActionError):
        env.step({'0': np.zeros(2, np.float32), '1': np.zeros(2, np.float32)})
