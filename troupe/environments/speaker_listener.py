"""Speaker and listener: two particle agents that must communicate to score.

The cooperative-communication task of the multi-agent particle environments used
by MADDPG (Lowe et al., 2017). L landmarks start uniformly in [-1, 1]^2 and one
of them is the goal. Agent '0', the speaker, cannot move; it observes only which
landmark is the goal (a one-hot of length L) and acts with a message in
[-1, 1]^L. Agent '1', the listener, moves like a `CooperativeNavigation` agent
(a force in [-1, 1]^2, the same physics) and observes its velocity, the
landmarks' positions relative to its own and the speaker's latest message
(zeros at the start of an episode). Both get the same reward each step: minus
the squared distance from the listener to the goal. The speaker's reward thus
depends only on what the listener does with its message, which is what a critic
of the speaker's own observation and action cannot see. Episodes are truncated
(discount 1) after `max_episode_steps`. Specs follow the `multiagent`
convention, with different specs for the two agents.
"""

from typing import Dict, Mapping, Optional

import dm_env
import numpy as np
from dm_env import specs

from troupe import errors
from troupe.environments import arguments, base, multiagent, rendering
from troupe.environments.cooperative_navigation import (AGENT_RADIUS, LANDMARK_RADIUS,
                                                        move, world_canvas)

SPEAKER, LISTENER = multiagent.agent_ids(2)
_LANDMARK_COLORS = (rendering.RED, rendering.GREEN, rendering.BLUE, rendering.ORANGE,
                    rendering.BROWN, rendering.YELLOW)


class SpeakerListener(base.Environment):
    """A speaker that sees the goal and a listener that must reach it."""

    def __init__(self, num_landmarks: int = 3, max_episode_steps: int = 25, *,
                 seed: Optional[int] = None):
        """Builds the world.

        Args:
            num_landmarks: L, the number of landmarks (>= 2); also the length of
              the goal one-hot and of the message.
            max_episode_steps: truncation limit (>= 1).
            seed: seeds the landmarks, the goal and the listener's start.
        """
        super().__init__(seed)
        if isinstance(num_landmarks, bool) or not isinstance(num_landmarks, int) or (
                num_landmarks < 2):
            raise errors.InvalidInput(f'num_landmarks must be an integer >= 2, got '
                             f'{num_landmarks!r}.')
        max_episode_steps = arguments.check_int('max_episode_steps', max_episode_steps, 1)
        self._num_landmarks = num_landmarks
        self._max_episode_steps = max_episode_steps
        self._landmarks = np.zeros((num_landmarks, 2))
        self._goal = 0
        self._position = np.zeros(2)
        self._velocity = np.zeros(2)
        self._message = np.zeros(num_landmarks)
        self._episode_steps = 0
        self._ids = (SPEAKER, LISTENER)
        listener_size = 2 + 2 * num_landmarks + num_landmarks
        self._observation_spec = {
            SPEAKER: specs.Array((num_landmarks,), np.float32, name='observation_0'),
            LISTENER: specs.Array((listener_size,), np.float32, name='observation_1')}
        self._action_spec = {
            SPEAKER: specs.BoundedArray((num_landmarks,), np.float32, -1.0, 1.0,
                                        name='action_0'),
            LISTENER: specs.BoundedArray((2,), np.float32, -1.0, 1.0, name='action_1')}
        self._reward_spec, self._discount_spec = multiagent.reward_and_discount_specs(
            self._ids)

    @property
    def agent_ids(self):
        return self._ids

    def observation_spec(self) -> Dict[str, specs.Array]:
        """Speaker: the goal's one-hot (L). Listener: [velocity (2), landmarks -
        position (2L), the speaker's latest message (L)]. float32."""
        return self._observation_spec

    def action_spec(self) -> Dict[str, specs.BoundedArray]:
        """Speaker: a message in [-1, 1]^L. Listener: a force in [-1, 1]^2."""
        return self._action_spec

    def reward_spec(self) -> Dict[str, specs.Array]:
        return self._reward_spec

    def discount_spec(self) -> Dict[str, specs.BoundedArray]:
        return self._discount_spec

    @property
    def goal(self) -> int:
        """The index of the goal landmark."""
        return self._goal

    @property
    def landmarks(self) -> np.ndarray:
        return self._landmarks.copy()

    @property
    def listener_position(self) -> np.ndarray:
        return self._position.copy()

    def set_state(self, landmarks: np.ndarray, goal: int, listener: np.ndarray,
                  velocity: Optional[np.ndarray] = None) -> None:
        """Places the landmarks and the listener and picks the goal (for tests and
        scripted scenarios); the message is cleared."""
        landmarks = np.asarray(landmarks, dtype=np.float64)
        listener = np.asarray(listener, dtype=np.float64)
        if landmarks.shape != self._landmarks.shape or listener.shape != (2,):
            raise ValueError(f'Expected landmarks of shape {self._landmarks.shape} and '
                             f'a listener position of shape (2,), got '
                             f'{landmarks.shape} and {listener.shape}.')
        if not 0 <= goal < self._num_landmarks:
            raise ValueError(f'goal must be a landmark index in [0, '
                             f'{self._num_landmarks}), got {goal!r}.')
        self._landmarks = landmarks.copy()
        self._goal = int(goal)
        self._position = listener.copy()
        self._velocity = (np.zeros(2) if velocity is None
                          else np.asarray(velocity, dtype=np.float64).reshape(2))
        self._message = np.zeros(self._num_landmarks)

    def _observations(self) -> Dict[str, np.ndarray]:
        one_hot = np.zeros(self._num_landmarks, np.float32)
        one_hot[self._goal] = 1.0
        listener = np.concatenate([self._velocity,
                                   (self._landmarks - self._position).reshape(-1),
                                   self._message]).astype(np.float32)
        return {SPEAKER: one_hot, LISTENER: listener}

    def _reward(self) -> float:
        return -float(np.sum((self._landmarks[self._goal] - self._position) ** 2))

    def _reset(self) -> dm_env.TimeStep:
        self._landmarks = self._rng.uniform(-1.0, 1.0, size=(self._num_landmarks, 2))
        self._goal = int(self._rng.integers(self._num_landmarks))
        self._position = self._rng.uniform(-1.0, 1.0, size=2)
        self._velocity = np.zeros(2)
        self._message = np.zeros(self._num_landmarks)
        self._episode_steps = 0
        return base.timestep(base.FIRST, None, None, self._observations())

    def _step(self, actions: Mapping[str, np.ndarray]) -> dm_env.TimeStep:
        force = np.asarray(actions[LISTENER], dtype=np.float64)
        self._position, self._velocity = move(self._position, self._velocity, force)
        self._message = np.asarray(actions[SPEAKER], dtype=np.float64).copy()
        self._episode_steps += 1
        step_type = (base.LAST if self._episode_steps >= self._max_episode_steps
                     else base.MID)
        reward = self._reward()
        return base.timestep(step_type, {i: reward for i in self._ids},
                             {i: 1.0 for i in self._ids}, self._observations())

    def render(self, size: int = 200) -> np.ndarray:
        """Landmarks in their colours (the goal larger), the listener in grey, on
        [-1.5, 1.5]^2."""
        canvas, to_pixels, scale = world_canvas(size)
        for k, landmark in enumerate(self._landmarks):
            radius = (2.0 if k == self._goal else 1.0) * LANDMARK_RADIUS * scale
            canvas.circle(*to_pixels(landmark), radius,
                          _LANDMARK_COLORS[k % len(_LANDMARK_COLORS)])
        canvas.circle(*to_pixels(self._position), AGENT_RADIUS * scale,
                      rendering.DARK_GREY)
        return canvas.pixels
