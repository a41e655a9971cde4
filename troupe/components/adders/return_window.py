"""The rewards and discounts of an episode's latest steps and their n-step return.

`NStepTransitionAdder` keeps this small local window instead of reading its
history back from Reverb. Rewards and discounts may be nested or arrays; a
non-nested one is broadcast against the other's structure (as Acme's
`tree_utils.broadcast_structures`), then leaf by leaf with numpy broadcasting.
The plan (leaf pairing, dtypes, shapes) is fixed once, on the first step.
"""

import collections
import dataclasses
from typing import Any, Callable, List, Optional, Sequence, Tuple

import numpy as np
import tree

from troupe.components.adders import utils

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def n_step_return(rewards: Sequence[Any], discounts: Sequence[Any],
                  agent_discount: Any) -> Tuple[Any, Any]:
    """The discounted return and total discount of one leaf over a window.

    Args:
      rewards: r_t, ..., r_{t+k-1} (numpy scalars or arrays).
      discounts: d_t, ..., d_{t+k-1}.
      agent_discount: g.

    Returns:
      (r_t + g·d_t·r_{t+1} + ... + g^(k-1)·d_t···d_{t+k-2}·r_{t+k-1},
       g^(k-1)·d_t···d_{t+k-1}), accumulated in the same order as Acme so that
      results agree to the last bit.
    """
    total_discount = discounts[0]
    total_return = rewards[0]
    for i in range(1, len(rewards)):
        total_discount = total_discount * agent_discount
        total_return = total_return + rewards[i] * total_discount
        total_discount = total_discount * discounts[i]
    return total_return, total_discount


def _cast(dtype: np.dtype, shape: Tuple[int, ...]) -> Callable[[Any], Any]:
    """A cast to `dtype`; numpy scalars for scalars, whose arithmetic is cheaper."""
    if shape == ():
        return dtype.type
    return lambda x: np.asarray(x, dtype)


@dataclasses.dataclass(frozen=True)
class _Plan:
    """How given reward and discount leaves become return leaves."""
    num_rewards: int                 # Leaves of the reward as given.
    num_discounts: int               # Leaves of the discount as given.
    # Per return leaf: (index of the reward leaf, cast), same for discounts.
    reward_casts: Tuple[Tuple[int, Callable[[Any], Any]], ...]
    discount_casts: Tuple[Tuple[int, Callable[[Any], Any]], ...]
    return_dtypes: Tuple[np.dtype, ...]
    discount_dtypes: Tuple[np.dtype, ...]
    # Per return leaf, its broadcast shape where it differs from the reward's.
    return_shapes: Tuple[Optional[Tuple[int, ...]], ...]
    exact_dtypes: bool               # float32/64 arithmetic keeps the dtypes.
    skeleton: Any                    # Structure of the returns and discounts.


def _make_plan(reward: Any, discount: Any) -> _Plan:
    rewards, discounts = tree.flatten(reward), tree.flatten(discount)
    if tree.is_nested(reward) and tree.is_nested(discount):
        try:
            tree.assert_same_structure(reward, discount)
        except (ValueError, TypeError) as e:
            raise ValueError(
                'A nested reward and a nested discount must have the same '
                f'structure, got reward {reward!r} and discount {discount!r}.') from e
        skeleton, n = utils.nest_skeleton(reward), len(rewards)
        reward_index = discount_index = tuple(range(n))
    elif tree.is_nested(reward):
        skeleton, n = utils.nest_skeleton(reward), len(rewards)
        reward_index, discount_index = tuple(range(n)), (0,) * n
    elif tree.is_nested(discount):
        skeleton, n = utils.nest_skeleton(discount), len(discounts)
        reward_index, discount_index = (0,) * n, tuple(range(n))
    else:
        skeleton, reward_index, discount_index = None, (0,), (0,)
    pairs = [(np.asarray(rewards[i]), np.asarray(discounts[j]))
             for i, j in zip(reward_index, discount_index)]
    # As Acme's signature: returns take the result type of reward and discount.
    return_dtypes = tuple(np.result_type(r.dtype, d.dtype) for r, d in pairs)
    discount_dtypes = tuple(d.dtype for _, d in pairs)
    shapes = [np.broadcast_shapes(r.shape, d.shape) for r, d in pairs]
    return _Plan(
        num_rewards=len(rewards),
        num_discounts=len(discounts),
        reward_casts=tuple((i, _cast(t, r.shape)) for i, t, (r, _)
                           in zip(reward_index, return_dtypes, pairs)),
        discount_casts=tuple((j, _cast(t, d.shape)) for j, t, (_, d)
                             in zip(discount_index, discount_dtypes, pairs)),
        return_dtypes=return_dtypes,
        discount_dtypes=discount_dtypes,
        return_shapes=tuple(None if s == r.shape else s
                            for s, (r, _) in zip(shapes, pairs)),
        exact_dtypes=all(t in _FLOATS for t in return_dtypes + discount_dtypes),
        skeleton=skeleton)


class ReturnWindow:
    """The latest (up to n) steps' rewards and discounts of one episode."""

    def __init__(self, n_step: int, agent_discount: np.floating):
        self._agent_discount = agent_discount
        self._steps = collections.deque(maxlen=n_step)  # (rewards, discounts)
        self._plan: Optional[_Plan] = None
        self._previous_discount: Optional[List[Any]] = None

    def __len__(self) -> int:
        return len(self._steps)

    @property
    def skeleton(self) -> Any:
        """The structure of the returns and discounts (None when not nested)."""
        return self._plan.skeleton

    def clear(self):
        """Empties the window (at the start of an episode)."""
        self._steps.clear()

    def drop_oldest(self):
        """Shortens the window from the front (for the trailing transitions)."""
        self._steps.popleft()

    def push(self, reward: Any, discount: Any, last: bool):
        """Adds a step; on a LAST step a scalar discount is conformed (see utils)."""
        if self._plan is None:
            self._plan = _make_plan(reward, discount)
        plan = self._plan
        rewards = utils.flatten_checked('reward', reward, plan.num_rewards)
        if last:
            discounts = utils.flatten_discount(discount, last,
                                               self._previous_discount)
        else:
            discounts = tree.flatten(discount)
        if len(discounts) != plan.num_discounts:
            raise ValueError(
                f'The discount has {len(discounts)} leaves ({discount!r}) but '
                f'earlier steps had {plan.num_discounts}.')
        self._previous_discount = discounts
        self._steps.append(([cast(rewards[i]) for i, cast in plan.reward_casts],
                            [cast(discounts[i]) for i, cast in plan.discount_casts]))

    def returns(self) -> Tuple[List[Any], List[Any]]:
        """The n-step return and total discount leaves over the whole window."""
        plan, steps = self._plan, self._steps
        first_rewards, first_discounts = steps[0]
        if len(steps) == 1:
            returns = list(first_rewards)
            for leaf, shape in enumerate(plan.return_shapes):
                if shape is not None:
                    returns[leaf] = np.broadcast_to(returns[leaf], shape)
            return returns, list(first_discounts)
        returns, discounts = [], []
        for leaf in range(len(first_rewards)):
            total_return, total_discount = n_step_return(
                [step[0][leaf] for step in steps],
                [step[1][leaf] for step in steps], self._agent_discount)
            returns.append(total_return)
            discounts.append(total_discount)
        if not plan.exact_dtypes:
            returns = [np.asarray(x, t) for x, t in zip(returns, plan.return_dtypes)]
            discounts = [np.asarray(x, t)
                         for x, t in zip(discounts, plan.discount_dtypes)]
        return returns, discounts
