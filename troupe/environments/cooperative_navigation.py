"""Cooperative navigation: N particle agents must cover N landmarks together.

A continuous multi-agent particle task in the style of the multi-agent particle
environments used by MADDPG. Agents and landmarks start uniformly in
[-1, 1]^2. Each agent's action is a force in [-1, 1]^2; velocities follow
v <- (1 - damping) v + sensitivity * force * dt and positions p <- p + v dt.
Each agent observes its own velocity and position, the landmarks' and the other
agents' positions relative to its own. Every agent gets the shared reward
-sum over landmarks of the distance to the nearest agent, minus
`collision_penalty` for each other agent it overlaps. Episodes are truncated
(discount 1) after `max_episode_steps`. Specs follow the `multiagent` convention.
"""

from typing import Dict, Mapping, Optional

import dm_env
import numpy as np
from dm_env import specs

from troupe.environments import arguments, base, multiagent, rendering

DT = 0.1
DAMPING = 0.25
SENSITIVITY = 5.0
AGENT_RADIUS = 0.15
LANDMARK_RADIUS = 0.05

_AGENT_COLORS = (rendering.BLUE, rendering.RED, rendering.GREEN, rendering.ORANGE,
                 rendering.BROWN, rendering.YELLOW)


def move(positions: np.ndarray, velocities: np.ndarray, forces: np.ndarray):
    """One step of the particles' physics: (new positions, new velocities)."""
    velocities = velocities * (1.0 - DAMPING) + SENSITIVITY * forces * DT
    return positions + velocities * DT, velocities


def world_canvas(size: int):
    """A size × size canvas showing [-1.5, 1.5]^2: (canvas, world point -> pixel
    (row, column), pixels per world unit)."""
    scale = size / 3.0

    def to_pixels(point):
        return (1.5 - point[1]) * scale, (point[0] + 1.5) * scale
    return rendering.Canvas(size, size), to_pixels, scale


class CooperativeNavigation(base.Environment):
    """N agents, N landmarks, continuous actions, one observation and reward each."""

    def __init__(self, num_agents: int = 3, num_landmarks: Optional[int] = None,
                 max_episode_steps: int = 25, collision_penalty: float = 1.0, *,
                 seed: Optional[int] = None):
        """Builds the world.

        Args:
            num_agents: N, the number of agents.
            num_landmarks: the number of landmarks (default N).
            max_episode_steps: truncation limit (>= 1).
            collision_penalty: reward subtracted per overlapping pair an agent is in.
            seed: seeds the starting positions.
        """
        super().__init__(seed)
        num_agents = arguments.check_int('num_agents', num_agents, 1)
        self._ids = multiagent.agent_ids(num_agents)
        num_landmarks = num_agents if num_landmarks is None else arguments.check_int(
            'num_landmarks', num_landmarks, 1, optional=True)
        max_episode_steps = arguments.check_int('max_episode_steps', max_episode_steps, 1)
        self._num_agents = num_agents
        self._num_landmarks = num_landmarks
        self._max_episode_steps = max_episode_steps
        self._collision_penalty = arguments.check_number('collision_penalty',
                                                         collision_penalty)
        self._positions = np.zeros((num_agents, 2))
        self._velocities = np.zeros((num_agents, 2))
        self._landmarks = np.zeros((num_landmarks, 2))
        self._episode_steps = 0
        self._others = ~np.eye(num_agents, dtype=bool)  # Agent k's view of the others.
        size = 4 + 2 * num_landmarks + 2 * (num_agents - 1)
        self._observation_spec = {
                i: specs.Array((size,), np.float32, name=f'observation_{i}')
                for i in self._ids}
        self._action_spec = {
                i: specs.BoundedArray((2,), np.float32, -1.0, 1.0, name=f'action_{i}')
                for i in self._ids}
        self._reward_spec, self._discount_spec = multiagent.reward_and_discount_specs(
            self._ids)

    @property
    def agent_ids(self):
        return self._ids

    def observation_spec(self) -> Dict[str, specs.Array]:
        """Per agent: [velocity (2), position (2), landmarks - position (2L),
        other agents - position (2(N-1))], float32."""
        return self._observation_spec

    def action_spec(self) -> Dict[str, specs.BoundedArray]:
        """Per agent: a force in [-1, 1]^2."""
        return self._action_spec

    def reward_spec(self) -> Dict[str, specs.Array]:
        return self._reward_spec

    def discount_spec(self) -> Dict[str, specs.BoundedArray]:
        return self._discount_spec

    @property
    def positions(self) -> np.ndarray:
        return self._positions.copy()

    @property
    def landmarks(self) -> np.ndarray:
        return self._landmarks.copy()

    def set_positions(self, agents: np.ndarray, landmarks: np.ndarray,
                      velocities: Optional[np.ndarray] = None) -> None:
        """Places agents and landmarks (for tests and scripted scenarios)."""
        agents = np.asarray(agents, dtype=np.float64)
        landmarks = np.asarray(landmarks, dtype=np.float64)
        if agents.shape != self._positions.shape or landmarks.shape != self._landmarks.shape:
            raise ValueError(f'Expected agents of shape {self._positions.shape} and '
                             f'landmarks of shape {self._landmarks.shape}, got '
                             f'{agents.shape} and {landmarks.shape}.')
        self._positions = agents.copy()
        self._landmarks = landmarks.copy()
        self._velocities = (np.zeros_like(agents) if velocities is None
                            else np.asarray(velocities, dtype=np.float64).reshape(agents.shape))

    def _observations(self) -> Dict[str, np.ndarray]:
        n = self._num_agents
        positions = self._positions
        landmarks = (self._landmarks[None, :, :] - positions[:, None, :]).reshape(n, -1)
        others = (positions[None, :, :] - positions[:, None, :])[self._others].reshape(n, -1)
        rows = np.concatenate([self._velocities, positions, landmarks, others],
                              axis=1).astype(np.float32)
        return dict(zip(self._ids, rows))

    def _rewards(self) -> Dict[str, float]:
        gaps = self._landmarks[:, None, :] - self._positions[None, :, :]
        coverage = -float(np.sqrt((gaps ** 2).sum(-1)).min(axis=1).sum())
        offsets = self._positions[:, None, :] - self._positions[None, :, :]
        distances = np.sqrt((offsets ** 2).sum(-1))
        overlaps = (distances < 2 * AGENT_RADIUS).sum(axis=1) - 1  # Not with itself.
        return {i: coverage - self._collision_penalty * float(overlaps[k])
                for k, i in enumerate(self._ids)}

    def _reset(self) -> dm_env.TimeStep:
        self._positions = self._rng.uniform(-1.0, 1.0, size=(self._num_agents, 2))
        self._velocities = np.zeros((self._num_agents, 2))
        self._landmarks = self._rng.uniform(-1.0, 1.0, size=(self._num_landmarks, 2))
        self._episode_steps = 0
        return base.timestep(base.FIRST, None, None, self._observations())

    def _step(self, actions: Mapping[str, np.ndarray]) -> dm_env.TimeStep:
        forces = np.stack([np.asarray(actions[i], dtype=np.float64) for i in self._ids])
        self._positions, self._velocities = move(self._positions, self._velocities,
                                                 forces)
        self._episode_steps += 1
        step_type = (base.LAST if self._episode_steps >= self._max_episode_steps
                     else base.MID)
        discounts = {i: 1.0 for i in self._ids}
        return base.timestep(step_type, self._rewards(), discounts, self._observations())

    def render(self, size: int = 200) -> np.ndarray:
        """Landmarks as grey dots, agents as coloured discs, on [-1.5, 1.5]^2."""
        canvas, to_pixels, scale = world_canvas(size)
        for landmark in self._landmarks:
            canvas.circle(*to_pixels(landmark), LANDMARK_RADIUS * scale, rendering.DARK_GREY)
        for k, position in enumerate(self._positions):
            canvas.circle(*to_pixels(position), AGENT_RADIUS * scale,
                          _AGENT_COLORS[k % len(_AGENT_COLORS)])
        return canvas.pixels
