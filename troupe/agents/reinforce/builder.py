"""ReinforceBuilder: the on-policy family's parts with a `ReinforceLearner`."""

from typing import Iterator, Optional

import reverb
import sonnet as snt

from troupe import specs
from troupe.agents.on_policy import builder as on_policy_builder
from troupe.agents.reinforce import config as config_lib
from troupe.agents.reinforce import learning
from troupe.components import counting, loggers


class ReinforceBuilder(on_policy_builder.OnPolicyBuilder):
    """Queue, sequence adder and softmax actors of `OnPolicyBuilder`; the
    learner regresses a baseline on Monte-Carlo returns. Networks: one
    (logits, value) module, by default a `PolicyValueMLP` of `hidden_sizes`."""

    name = 'reinforce'
    config_class = config_lib.ReinforceConfig

    def make_learner(self, networks: snt.Module, dataset: Iterator[reverb.ReplaySample],
                     environment_spec: specs.EnvironmentSpec,
                     counter: Optional[counting.Counter] = None,
                     logger: Optional[loggers.Logger] = None, *,
                     replay_client: Optional[reverb.Client] = None,
                     device: Optional[str] = None) -> learning.ReinforceLearner:
        del environment_spec, replay_client  # A queue has no priorities.
        return learning.ReinforceLearner(networks, dataset,
                                         **self.learner_kwargs(counter, logger, device))
