"""SAC's default networks and the policies the actors run.

The policy maps observations to a tanh-squashed diagonal Gaussian over actions
inside the spec's bounds: u ~ N(μ(s), σ(s)²), a = low + (tanh(u) + 1)/2 · (high −
low), i.e. `MultivariateNormalDiagHead` followed by `TanhToSpec`. Its log-density
is log N(u) − Σ log(1 − tanh(u)²) − Σ log((high − low)/2); SAC evaluates it on
its own samples with `experimental_sample_and_log_prob`, which uses u directly
(never atanh of a saturated action). Critics map (observation, action) to one
Q-value per example, shape [B]. `SACNetworks` holds the policy and the two
critics.
"""

from typing import NamedTuple, Sequence, Tuple

import numpy as np
import sonnet as snt
import tensorflow as tf
import tensorflow_probability as tfp
from dm_env import specs as dm_specs

from troupe import specs
from troupe.components import networks
from troupe.components import utils as tf2_utils

tfd = tfp.distributions


def check_continuous_actions(action_spec, agent: str = 'SAC') -> Tuple[np.ndarray,
                                                                         np.ndarray]:
    """Returns the (minimum, maximum) bounds broadcast to the action shape.

    Raises:
      ValueError: unless `action_spec` is a floating-point `BoundedArray` (not a
        `DiscreteArray`) with finite bounds and minimum < maximum everywhere.
    """
    if isinstance(action_spec, dm_specs.DiscreteArray) or not isinstance(
            action_spec, dm_specs.BoundedArray):
        raise ValueError(f'{agent} needs a continuous action spec (dm_env.specs.'
                         f'BoundedArray with finite bounds), got {action_spec!r}.')
    if not np.issubdtype(np.dtype(action_spec.dtype), np.floating):
        raise ValueError(f'{agent} needs floating-point actions, got dtype '
                         f'{np.dtype(action_spec.dtype).name} in {action_spec!r}.')
    if len(action_spec.shape) != 1:
        raise ValueError(f'{agent} needs actions of shape [A], got shape '
                         f'{action_spec.shape} in {action_spec!r}.')
    minimum = np.broadcast_to(np.asarray(action_spec.minimum, np.float64),
                              action_spec.shape)
    maximum = np.broadcast_to(np.asarray(action_spec.maximum, np.float64),
                              action_spec.shape)
    bounds = (f'minimum={np.asarray(action_spec.minimum).tolist()}, '
              f'maximum={np.asarray(action_spec.maximum).tolist()}')
    if not (np.all(np.isfinite(minimum)) and np.all(np.isfinite(maximum))):
        raise ValueError(f'{agent} needs finite action bounds, got {bounds}.')
    if not np.all(minimum < maximum):
        raise ValueError(f'{agent} needs action minimum < maximum in every '
                         f'dimension, got {bounds}.')
    return minimum, maximum


def canonical_target_entropy(action_spec: specs.BoundedArray) -> float:
    """−|A| in the [-1, 1] box, expressed for log-densities over the real bounds.

    The usual heuristic H̄ = −dim(A) (SAC paper, Stable-Baselines3, Acme) is
    applied there to actions in [-1, 1]. Rescaling to [low, high] adds
    Σ log((high − low)/2) to every entropy, so the same target here is
    −dim(A) + Σ log((high − low)/2); the agent's behaviour then does not depend on
    the units of the actions.
    """
    minimum, maximum = check_continuous_actions(action_spec)
    return float(-minimum.size + np.sum(np.log((maximum - minimum) / 2.0)))


class _Squeeze(snt.Module):
    """[B, 1] -> [B]."""

    def __init__(self, name: str = 'squeeze'):
        super().__init__(name=name)

    def __call__(self, inputs: tf.Tensor) -> tf.Tensor:
        return tf.squeeze(inputs, axis=-1)


def make_policy_network(action_spec: specs.BoundedArray,
                        hidden_sizes: Sequence[int] = (256, 256),
                        init_scale: float = 1.0,
                        min_scale: float = 1e-3) -> snt.Module:
    """Observations -> tanh-squashed Gaussian over the action bounds.

    Args:
      action_spec: the continuous action spec (finite bounds).
      hidden_sizes: units of the ReLU hidden layers.
      init_scale: σ of the Gaussian before squashing, at initialisation.
      min_scale: lower bound on σ.
    """
    check_continuous_actions(action_spec)
    num_dimensions = int(np.prod(action_spec.shape))
    return snt.Sequential([
        tf2_utils.batch_concat,
        snt.nets.MLP([int(h) for h in hidden_sizes], activate_final=True),
        networks.MultivariateNormalDiagHead(num_dimensions, init_scale=init_scale,
                                            min_scale=min_scale,
                                            use_tfd_independent=True),
        networks.TanhToSpec(action_spec),
    ], name='sac_policy')


def make_critic_network(hidden_sizes: Sequence[int] = (256, 256),
                        name: str = 'sac_critic') -> snt.Module:
    """(observation, action) -> Q-value, shape [B]."""
    mlp = snt.nets.MLP([int(h) for h in hidden_sizes] + [1])
    return networks.CriticMultiplexer(
        critic_network=snt.Sequential([mlp, _Squeeze()]), name=name)


class SACNetworks(NamedTuple):
    """SAC's networks: the policy and the two critics (the learner makes the
    target critics)."""

    policy: snt.Module
    critics: Tuple[snt.Module, snt.Module]


def make_networks(environment_spec: specs.EnvironmentSpec,
                  policy_hidden_sizes: Sequence[int] = (256, 256),
                  critic_hidden_sizes: Sequence[int] = (256, 256)) -> SACNetworks:
    """The default policy (`make_policy_network`) and two critics
    (`make_critic_network`), with ReLU hidden layers of the given sizes."""
    return SACNetworks(
        policy=make_policy_network(environment_spec.actions, policy_hidden_sizes),
        critics=tuple(make_critic_network(critic_hidden_sizes, name=f'sac_critic_{i}')
                      for i in (1, 2)))


def squashed_mode(distribution: tfd.Distribution) -> tf.Tensor:
    """The deterministic action of a (squashed) policy distribution.

    For a bijector-transformed distribution (e.g. the output of `TanhToSpec`),
    the bijector applied to the base distribution's mode: for the tanh-Gaussian
    that is low + (tanh(μ) + 1)/2 · (high − low). Other distributions: `mode()`.
    """
    if isinstance(distribution, tfd.TransformedDistribution):
        return distribution.bijector.forward(squashed_mode(distribution.distribution))
    return distribution.mode()


class ActionPolicy(snt.Module):
    """A policy network's actions: sampled, or deterministic when `greedy`.

    Actions are clipped to the spec's bounds (against round-off at the edges)
    and cast to its dtype, so actors can hand them to the environment and adder.

    Attributes:
      network: the policy network (whose variables an actor refreshes).
    """

    def __init__(self, policy_network: snt.Module, action_spec: specs.BoundedArray,
                 greedy: bool = False, name: str = 'action_policy'):
        super().__init__(name=name)
        self._minimum, self._maximum = check_continuous_actions(action_spec)
        self.network = policy_network
        self._greedy = greedy
        self._dtype = tf.as_dtype(action_spec.dtype)

    def __call__(self, observation) -> tf.Tensor:
        output = self.network(observation)
        if isinstance(output, tfd.Distribution):
            output = squashed_mode(output) if self._greedy else output.sample()
        output = tf.cast(output, self._dtype)
        return tf.clip_by_value(output, tf.cast(self._minimum, self._dtype),
                                tf.cast(self._maximum, self._dtype))


def make_eval_policy(policy_network: snt.Module,
                     action_spec: specs.BoundedArray) -> ActionPolicy:
    """The deterministic evaluation policy: the squashed mean of the Gaussian."""
    return ActionPolicy(policy_network, action_spec, greedy=True, name='eval_policy')
