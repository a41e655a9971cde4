"""Losses and return estimators: pure functions of tensors (trfl/rlax style)."""

from troupe.components.losses.advantages import (
    discounted_returns, generalized_advantage_estimation, n_step_bootstrapped_returns,
    td_lambda_returns)
from troupe.components.losses.continuous import (
    clipped_double_q_target, dpg, sac_critic_target,
    sac_policy_loss, sac_temperature_loss, td3_target_actions)
from troupe.components.losses.distributional import (
    categorical, categorical_td_loss, l2_project)
from troupe.components.losses.ensemble import EnsembleTDOutput, ensemble_q_learning
from troupe.components.losses.policy_gradient import (
    ActorCriticLoss, actor_critic_loss, discrete_policy_gradient_loss, entropy_loss,
    policy_gradient_loss)
from troupe.components.losses.value import (
    QLearningOutput, double_q_learning, huber, importance_sampling_weights,
    polyak_average, q_learning, td_priorities)
from troupe.components.losses.off_policy import VTraceReturns, vtrace

__all__ = [
    'ActorCriticLoss', 'QLearningOutput', 'VTraceReturns', 'actor_critic_loss',
    'categorical', 'categorical_td_loss', 'clipped_double_q_target',
    'EnsembleTDOutput', 'discounted_returns', 'discrete_policy_gradient_loss',
    'double_q_learning', 'dpg', 'ensemble_q_learning',
    'entropy_loss', 'generalized_advantage_estimation', 'huber',
    'importance_sampling_weights',
    'l2_project', 'n_step_bootstrapped_returns', 'polyak_average',
    'policy_gradient_loss', 'q_learning', 'sac_critic_target', 'sac_policy_loss',
    'sac_temperature_loss', 'td3_target_actions',
    'td_lambda_returns', 'td_priorities', 'vtrace',
]
