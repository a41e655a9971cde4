"""What the on-policy agents (REINFORCE, A2C, IMPALA) share: the config base,
the builder base (queue table, sequence adder, one-stream dataset, sampling
actors, greedy evaluation), the sequence preparation, the default network and
the learner base (`OnPolicyLearner`)."""

from troupe.agents.on_policy.builder import OnPolicyBuilder
from troupe.agents.on_policy.config import OnPolicyConfig
from troupe.agents.on_policy.learning import OnPolicyLearner
from troupe.agents.on_policy.learning import Targets
from troupe.agents.on_policy.networks import PolicyValueMLP
from troupe.agents.on_policy.networks import make_mlp_network
from troupe.agents.on_policy.policies import GreedyLogits
from troupe.agents.on_policy.policies import GreedyRecurrentLogits
from troupe.agents.on_policy.policies import SampledPolicy
from troupe.agents.on_policy.policies import SampledRecurrentPolicy
from troupe.agents.on_policy.sequences import Sequences
from troupe.agents.on_policy.sequences import prepare_sequences
from troupe.agents.on_policy.sequences import time_major

__all__ = ['GreedyLogits', 'GreedyRecurrentLogits', 'OnPolicyBuilder',
           'OnPolicyConfig', 'OnPolicyLearner', 'PolicyValueMLP', 'SampledPolicy',
           'SampledRecurrentPolicy', 'Sequences', 'Targets', 'make_mlp_network',
           'prepare_sequences', 'time_major']
