"""IMPALABuilder: the on-policy family's parts with an `IMPALALearner`, and a
recurrent default network when the config asks for one."""

from typing import Iterator, Optional

import reverb
import sonnet as snt

from troupe import specs
from troupe.agents.impala import config as config_lib
from troupe.agents.impala import learning
from troupe.agents.impala import networks as impala_networks
from troupe.agents.on_policy import builder as on_policy_builder
from troupe.components import counting, loggers


class IMPALABuilder(on_policy_builder.OnPolicyBuilder):
    """Queue, sequence adder and softmax actors of `OnPolicyBuilder` (the
    actors of a recurrent network store their core state); the learner corrects
    the policy lag with V-trace. Networks: one (logits, value) module, a
    `PolicyValueMLP` or, with `recurrent`, an `LSTMPolicyValueNetwork`."""

    name = 'impala'
    config_class = config_lib.IMPALAConfig

    def make_networks(self, environment_spec: specs.EnvironmentSpec) -> snt.Module:
        config = self.config
        return impala_networks.make_network(
            environment_spec, config.hidden_sizes, recurrent=config.recurrent,
            lstm_size=config.lstm_size, shared_torso=config.shared_torso)

    def make_learner(self, networks: snt.Module, dataset: Iterator[reverb.ReplaySample],
                     environment_spec: specs.EnvironmentSpec,
                     counter: Optional[counting.Counter] = None,
                     logger: Optional[loggers.Logger] = None, *,
                     replay_client: Optional[reverb.Client] = None,
                     device: Optional[str] = None) -> learning.IMPALALearner:
        del environment_spec, replay_client  # A queue has no priorities.
        config = self.config
        return learning.IMPALALearner(
            networks, dataset, clip_rho_threshold=config.clip_rho_threshold,
            clip_pg_rho_threshold=config.clip_pg_rho_threshold,
            lambda_=config.lambda_, **self.learner_kwargs(counter, logger, device))
