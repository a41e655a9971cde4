"""DDPGBuilder: the one place DDPG's parts are assembled (see `agents.builders`)."""

from troupe import specs
from troupe.agents.actor_critic import builder as ac_builder
from troupe.agents.actor_critic import networks as ac_networks
from troupe.agents.ddpg import config as config_lib
from troupe.agents.ddpg import learning
from troupe.agents.ddpg import networks as ddpg_networks


class DDPGBuilder(ac_builder.ActorCriticBuilder):
    """The family's uniform table of n-step transitions and exploring actors
    (`actor_critic.ActorCriticBuilder`) with a `DDPGLearner`. Networks:
    `ActorCriticNetworks(policy, (critic,), observation)`."""

    name = 'ddpg'
    config_class = config_lib.DDPGConfig
    learner_class = learning.DDPGLearner

    def make_networks(self, environment_spec: specs.EnvironmentSpec
                      ) -> ac_networks.ActorCriticNetworks:
        """`ddpg.make_networks` of the config's hidden sizes."""
        self._seed()
        return ddpg_networks.make_networks(environment_spec,
                                           self.config.policy_hidden_sizes,
                                           self.config.critic_hidden_sizes)
