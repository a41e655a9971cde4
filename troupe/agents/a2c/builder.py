"""A2CBuilder: the on-policy family's parts with an `A2CLearner`."""

from typing import Iterator, Optional

import reverb
import sonnet as snt

from troupe import specs
from troupe.agents.a2c import config as config_lib
from troupe.agents.a2c import learning
from troupe.agents.on_policy import builder as on_policy_builder
from troupe.components import counting, loggers


class A2CBuilder(on_policy_builder.OnPolicyBuilder):
    """Queue, sequence adder and softmax actors of `OnPolicyBuilder`; the
    learner takes GAE(λ) (or n-step) advantages. Networks: one (logits, value)
    module, by default a `PolicyValueMLP` of `hidden_sizes`."""

    name = 'a2c'
    config_class = config_lib.A2CConfig

    def make_learner(self, networks: snt.Module, dataset: Iterator[reverb.ReplaySample],
                     environment_spec: specs.EnvironmentSpec,
                     counter: Optional[counting.Counter] = None,
                     logger: Optional[loggers.Logger] = None, *,
                     replay_client: Optional[reverb.Client] = None,
                     device: Optional[str] = None) -> learning.A2CLearner:
        del environment_spec, replay_client  # A queue has no priorities.
        return learning.A2CLearner(networks, dataset, lambda_=self.config.lambda_,
                                   n_step=self.config.n_step,
                                   **self.learner_kwargs(counter, logger, device))
