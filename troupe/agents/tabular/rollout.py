"""Rolling out a fixed policy, e.g. to measure how long a greedy path to the goal is."""

from typing import Optional

import dm_env
import numpy as np

from troupe import errors


def greedy_path_length(environment: dm_env.Environment, policy: np.ndarray,
                       max_steps: int = 1_000) -> Optional[int]:
    """Steps the policy takes from a fresh episode until the episode terminates.

    Resets `environment` (a state-index environment such as a STATE_INDEX
    GridWorld, whose episodes terminate at the goal) and follows `policy[state]`.

    Args:
        environment: the environment; it is reset and stepped.
        policy: [S] actions, e.g. an agent's `greedy_policy()`.
        max_steps: give up after this many steps.

    Returns:
        The number of steps to the terminating step (discount 0), or None if the
        episode was truncated or `max_steps` ran out first (e.g. a policy that walks
        in circles).
    """
    if max_steps < 1:
        raise errors.InvalidInput(f'max_steps must be >= 1, got {max_steps!r}.')
    actions = np.asarray(policy).tolist()
    timestep = environment.reset()
    for steps in range(1, max_steps + 1):
        timestep = environment.step(actions[int(timestep.observation)])
        if timestep.last():
            return steps if timestep.discount == 0 else None
    return None
