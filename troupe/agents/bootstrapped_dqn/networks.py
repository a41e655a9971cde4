"""Bootstrapped DQN's networks: the prior ensemble and the policies over it.

The ensemble is one `EnsembleWithPrior` of two `EnsembleMLP`s (the trainable
members and their fixed random priors), computing all K members' values in one
batched call: [B, ...] observations -> [B, K, num_actions]. Acting follows one
member (`EnsembleMember`, which member read from a variable the actor sets at
the start of each episode) ε-greedily; evaluation is greedy in the members'
mean values (`EnsembleMean`), the ensemble's estimate of Q, rather than a
majority vote of members: it needs one argmax and, unlike a vote, never ties
between members.
"""

from typing import Sequence

import sonnet as snt
import tensorflow as tf

from troupe import specs
from troupe.agents import spaces
from troupe.components import networks


def num_actions(environment_spec: specs.EnvironmentSpec) -> int:
    """The number of actions; raises unless the action spec is discrete."""
    spaces.check_can_act('bootstrapped_dqn', spaces.DISCRETE, environment_spec)
    return int(environment_spec.actions.num_values)


def make_ensemble(environment_spec: specs.EnvironmentSpec, ensemble_size: int = 10,
                  hidden_sizes: Sequence[int] = (50, 50),
                  prior_scale: float = 3.0) -> networks.EnsembleWithPrior:
    """K MLPs of `hidden_sizes` (observations flattened), each plus β times a
    fixed random MLP of the same shape: [B, ...] -> [B, K, num_actions]."""
    sizes = [int(h) for h in hidden_sizes] + [num_actions(environment_spec)]
    return networks.make_prior_ensemble(ensemble_size, sizes, prior_scale)


def member_variable() -> tf.Variable:
    """The int32 variable naming the acting member (set by the actor)."""
    return tf.Variable(0, dtype=tf.int32, trainable=False, name='acting_member')


def make_member_policy(ensemble: snt.Module, environment_spec: specs.EnvironmentSpec,
                       epsilon: float) -> networks.EpsilonGreedyPolicy:
    """ε-greedy in the values of the member `policy.network.member` names
    (ties between actions broken at random, as bsuite's agent does)."""
    epsilon = tf.Variable(float(epsilon), dtype=tf.float32, trainable=False,
                          name='epsilon')
    member = networks.EnsembleMember(ensemble, member_variable())
    return networks.EpsilonGreedyPolicy(member, epsilon, environment_spec.actions)


def make_evaluation_policy(ensemble: snt.Module,
                           environment_spec: specs.EnvironmentSpec
                           ) -> networks.GreedyPolicy:
    """Greedy in the ensemble's mean values."""
    return networks.GreedyPolicy(networks.EnsembleMean(ensemble),
                                 environment_spec.actions)
