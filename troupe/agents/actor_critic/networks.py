"""Networks of the deterministic actor-critics: the networks record, the
default policy and critic of Acme's DDPG example, the action-spec check, and the
acting policies (exploring and greedy) built around a policy network."""

from typing import Callable, NamedTuple, Optional, Sequence, Tuple

import numpy as np
import sonnet as snt
from dm_env import specs as dm_specs

from troupe import errors
from troupe.components import networks
from troupe.components import utils as tf2_utils


class ActorCriticNetworks(NamedTuple):
    """One agent's networks; the learner makes their targets.

    Attributes:
      policy: μ, embedded observations -> actions within the bounds.
      critics: the critics Q(embedded observations, actions): one for DDPG and
        D4PG, two (Q1, Q2) for TD3.
      observation: the embedding shared by policy and critics, trained by the
        critic loss (a Sonnet module; see `to_sonnet_module`).
    """

    policy: snt.Module
    critics: Tuple[snt.Module, ...]
    observation: snt.Module


def check_critics(networks: ActorCriticNetworks, count: int,
                  agent: str) -> Tuple[snt.Module, ...]:
    """`networks.critics`, checked to hold `count` critics."""
    critics = tuple(networks.critics)
    if len(critics) != count:
        raise errors.InvalidInput(f'{agent} takes {count} critic network(s), got '
                                  f'{len(critics)}.')
    return critics


def to_sonnet_module(network: Optional[Callable]) -> snt.Module:
    """A Sonnet module for a module, a plain callable (e.g. tf.identity,
    batch_concat) or None (the identity); it may have no variables."""
    if network is None:
        module = snt.Sequential([], name='identity')
    elif isinstance(network, snt.Module):
        module = network
    elif callable(network):
        module = snt.Sequential([network], name='observation_network')
    else:
        raise TypeError(f'Expected a Sonnet module or a callable, got {network!r}.')
    return snt.allow_empty_variables(module)


def check_continuous_actions(action_spec, agent: str = 'DDPG') -> dm_specs.BoundedArray:
    """Returns `action_spec` if it is a float BoundedArray with finite bounds and
    minimum < maximum everywhere; else raises an InvalidInput naming the spec."""
    if isinstance(action_spec, dm_specs.DiscreteArray) or not isinstance(
            action_spec, dm_specs.BoundedArray):
        raise errors.InvalidInput(f'{agent} needs a continuous action spec (a float '
                                  f'dm_env.specs.BoundedArray), got {action_spec!r}.')
    if np.dtype(action_spec.dtype).kind != 'f':
        raise errors.InvalidInput(f'{agent} needs float actions, got dtype '
                                  f'{np.dtype(action_spec.dtype)} in {action_spec!r}.')
    minimum = np.broadcast_to(action_spec.minimum, action_spec.shape)
    maximum = np.broadcast_to(action_spec.maximum, action_spec.shape)
    bounds = (f'minimum={np.asarray(action_spec.minimum).tolist()}, '
              f'maximum={np.asarray(action_spec.maximum).tolist()}')
    if not (np.all(np.isfinite(minimum)) and np.all(np.isfinite(maximum))):
        raise errors.InvalidInput(f'{agent} needs finite action bounds, got {bounds}.')
    if not np.all(minimum < maximum):
        raise errors.InvalidInput(
            f'{agent} needs minimum < maximum for every action, got {bounds}.')
    return action_spec


def is_canonical(action_spec: dm_specs.BoundedArray) -> bool:
    """True when every action bound is exactly [-1, 1]."""
    return bool(np.all(np.asarray(action_spec.minimum) == -1.0)
                and np.all(np.asarray(action_spec.maximum) == 1.0))


def _embedded(policy_network: snt.Module,
              observation_network: Optional[Callable]) -> list:
    return ([] if observation_network is None else [observation_network]) + [
        policy_network]


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
    Its variables are the observation network's, then the policy's.
    """
    check_continuous_actions(action_spec)
    layers = _embedded(policy_network, observation_network)
    canonical = is_canonical(action_spec)
    if not canonical:
        layers.append(networks.ToUnitInterval(action_spec))
    layers.append(networks.ClippedGaussian(sigma))
    if not canonical:
        layers.append(networks.RescaleToSpec(action_spec))
    layers.append(networks.ClipToSpec(action_spec))
    return snt.Sequential(layers, name='behavior_network')


def make_greedy_network(policy_network: snt.Module,
                        observation_network: Optional[Callable] = None
                        ) -> snt.Sequential:
    """The evaluation policy: [observation network,] policy, no noise."""
    return snt.Sequential(_embedded(policy_network, observation_network),
                          name='greedy_policy')


def make_policy_network(action_spec: dm_specs.BoundedArray,
                        hidden_sizes: Sequence[int] = (256, 256, 256)) -> snt.Module:
    """LayerNormMLP torso, near-zero final linear layer, tanh squashed to the bounds."""
    check_continuous_actions(action_spec)
    num_dimensions = int(np.prod(action_spec.shape, dtype=int))
    layers = [networks.LayerNormMLP(list(hidden_sizes), activate_final=True),
              networks.NearZeroInitializedLinear(num_dimensions)]
    if len(action_spec.shape) != 1:
        layers.append(snt.Reshape(action_spec.shape))
    layers.append(networks.TanhToSpec(action_spec))
    return snt.Sequential(layers, name='policy')


def make_critic_network(hidden_sizes: Sequence[int] = (512, 512, 256),
                        name: str = 'critic') -> snt.Module:
    """Q(s, a): a LayerNormMLP on concatenated observation and action, [B, 1]."""
    return networks.CriticMultiplexer(
        critic_network=networks.LayerNormMLP(list(hidden_sizes) + [1]), name=name)


def default_observation_network() -> snt.Module:
    """Flattens and concatenates (nested) observations (`batch_concat`)."""
    return to_sonnet_module(tf2_utils.batch_concat)
