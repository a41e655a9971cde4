"""A2CLearner: advantage actor-critic on batches of on-policy sequences, with
GAE(λ) advantages or n-step bootstrapped returns (see `on_policy.learning` for
the update they share with REINFORCE and IMPALA)."""

from typing import Iterator, Optional, Union

import sonnet as snt
import tensorflow as tf

from troupe.agents import checks
from troupe.agents.on_policy.learning import OnPolicyLearner, Targets
from troupe.components import counting, loggers
from troupe.components.losses import advantages as advantages_lib


class A2CLearner(OnPolicyLearner):
    """Advantage actor-critic: GAE(λ) advantages and λ-return targets, or
    n-step bootstrapped returns when `n_step` is given (advantage G - V)."""

    def __init__(self,
                 network: snt.Module,
                 dataset: Union[tf.data.Dataset, Iterator],
                 discount: float = 0.99,
                 learning_rate: float = 1e-3,
                 entropy_cost: float = 0.01,
                 baseline_cost: float = 0.5,
                 lambda_: float = 0.95,
                 n_step: Optional[int] = None,
                 max_gradient_norm: Optional[float] = None,
                 max_abs_reward: Optional[float] = None,
                 counter: Optional[counting.Counter] = None,
                 logger: Optional[loggers.Logger] = None,
                 checkpoint: bool = True,
                 device: Optional[str] = None,
                 **kwargs):
        """See `OnPolicyLearner`; `lambda_` in [0, 1] is GAE's λ and `n_step`
        (>= 1), if set, selects n-step returns instead."""
        checks.check_unit_interval('lambda_', lambda_)
        if n_step is not None:
            checks.check_positive_int('n_step', n_step)
        self._lambda = float(lambda_)
        self._n_step = None if n_step is None else int(n_step)
        kwargs.setdefault('checkpoint_subdirectory', 'a2c_learner')
        kwargs.setdefault('label', 'A2CLearner')
        super().__init__(network, dataset, discount, learning_rate, entropy_cost,
                         baseline_cost, max_gradient_norm, max_abs_reward, counter,
                         logger, checkpoint, device, **kwargs)

    def _targets(self, sequences, logits, values) -> Targets:
        del logits
        values = tf.stop_gradient(values)
        if self._n_step is not None:
            returns = advantages_lib.n_step_bootstrapped_returns(
                sequences.reward, sequences.discount, values[:-1], values[-1],
                self._n_step)
            return returns, None
        advantages = advantages_lib.generalized_advantage_estimation(
            sequences.reward, sequences.discount, values[:-1], values[-1],
            self._lambda)
        return advantages + values[:-1], advantages
