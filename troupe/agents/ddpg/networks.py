"""Networks of the deterministic actor-critics: the default policy and critic of
Acme's DDPG example, the action-spec check they all share, and the behaviour
(exploration) network wrapped around a policy."""

from typing import Callable, Dict, Optional, Sequence

import numpy as np
import sonnet as snt
import tensorflow as tf
from dm_env import specs as dm_specs

from troupe.components import networks
from troupe.components import utils as tf2_utils


def check_continuous_actions(action_spec, agent: str = 'DDPG') -> dm_specs.BoundedArray:
    """Returns `action_spec` if it is a float BoundedArray with finite bounds.

    Raises:
      ValueError: naming the spec when it is discrete, unbounded, has infinite
        bounds or minimum >= maximum somewhere.
    """
    if isinstance(action_spec, dm_specs.DiscreteArray) or not isinstance(
            action_spec, dm_specs.BoundedArray):
        raise ValueError(f'{agent} needs a continuous action spec (a float '
                         f'dm_env.specs.BoundedArray), got {action_spec!r}.')
    if np.dtype(action_spec.dtype).kind != 'f':
        raise ValueError(f'{agent} needs float actions, got dtype '
                         f'{np.dtype(action_spec.dtype)} in {action_spec!r}.')
    minimum = np.broadcast_to(action_spec.minimum, action_spec.shape)
    maximum = np.broadcast_to(action_spec.maximum, action_spec.shape)
    if not (np.all(np.isfinite(minimum)) and np.all(np.isfinite(maximum))):
        raise ValueError(f'{agent} needs finite action bounds, got minimum='
                         f'{action_spec.minimum!r}, maximum={action_spec.maximum!r}.')
    if not np.all(minimum < maximum):
        raise ValueError(f'{agent} needs minimum < maximum for every action, got '
                         f'minimum={action_spec.minimum!r}, '
                         f'maximum={action_spec.maximum!r}.')
    return action_spec


def is_canonical(action_spec: dm_specs.BoundedArray) -> bool:
    """True when every action bound is exactly [-1, 1]."""
    return bool(np.all(np.asarray(action_spec.minimum) == -1.0)
                and np.all(np.asarray(action_spec.maximum) == 1.0))


class ToUnitInterval(snt.Module):
    """Maps actions in [spec.minimum, spec.maximum] affinely onto [-1, 1]
    (the inverse of `networks.RescaleToSpec`)."""

    def __init__(self, action_spec: dm_specs.BoundedArray,
                 name: str = 'to_unit_interval'):
        super().__init__(name=name)
        minimum = np.broadcast_to(action_spec.minimum, action_spec.shape)
        maximum = np.broadcast_to(action_spec.maximum, action_spec.shape)
        self._middle = (maximum + minimum) / 2.0
        self._half_range = (maximum - minimum) / 2.0

    def __call__(self, action: tf.Tensor) -> tf.Tensor:
        middle = tf.cast(self._middle, action.dtype)
        return (action - middle) / tf.cast(self._half_range, action.dtype)


def make_behavior_network(policy_network: snt.Module,
                          action_spec: dm_specs.BoundedArray,
                          sigma: float,
                          observation_network: Optional[Callable] = None
                          ) -> snt.Sequential:
    """The exploring policy: [observation network,] policy, Gaussian noise, clip.

    Acme's behaviour network, `ClippedGaussian(sigma)` then `ClipToSpec`, assumes
    actions in [-1, 1]. For other bounds the action is mapped to [-1, 1] around
    the noise and back, so σ is always relative to the half-range of the bounds
    (σ = 0.3 on Pendulum's [-2, 2] adds noise of standard deviation 0.6) and the
    whole range stays reachable. For [-1, 1] bounds it is exactly Acme's network.
    """
    check_continuous_actions(action_spec)
    layers = [] if observation_network is None else [observation_network]
    layers.append(policy_network)
    canonical = is_canonical(action_spec)
    if not canonical:
        layers.append(ToUnitInterval(action_spec))
    layers.append(networks.ClippedGaussian(sigma))
    if not canonical:
        layers.append(networks.RescaleToSpec(action_spec))
    layers.append(networks.ClipToSpec(action_spec))
    return snt.Sequential(layers, name='behavior_network')


def make_policy_network(action_spec: dm_specs.BoundedArray,
                        layer_sizes: Sequence[int] = (256, 256, 256)) -> snt.Module:
    """LayerNormMLP torso, near-zero final linear layer, tanh squashed to the bounds."""
    check_continuous_actions(action_spec)
    num_dimensions = int(np.prod(action_spec.shape, dtype=int))
    layers = [networks.LayerNormMLP(layer_sizes, activate_final=True),
              networks.NearZeroInitializedLinear(num_dimensions)]
    if len(action_spec.shape) != 1:
        layers.append(snt.Reshape(action_spec.shape))
    layers.append(networks.TanhToSpec(action_spec))
    return snt.Sequential(layers, name='policy')


def make_critic_network(layer_sizes: Sequence[int] = (512, 512, 256)) -> snt.Module:
    """Q(s, a): a LayerNormMLP on concatenated observation and action, one output."""
    return networks.CriticMultiplexer(
        critic_network=networks.LayerNormMLP(list(layer_sizes) + [1]), name='critic')


def make_default_networks(action_spec: dm_specs.BoundedArray,
                          policy_layer_sizes: Sequence[int] = (256, 256, 256),
                          critic_layer_sizes: Sequence[int] = (512, 512, 256)
                          ) -> Dict[str, object]:
    """The networks of Acme's DDPG example: 'policy', 'critic' and 'observation'.

    The critic returns [B, 1] values; 'observation' (batch_concat) flattens and
    concatenates nested observations for both.
    """
    return {
        'policy': make_policy_network(action_spec, policy_layer_sizes),
        'critic': make_critic_network(critic_layer_sizes),
        'observation': tf2_utils.batch_concat,
    }
