"""D4PGBuilder: the one place D4PG's parts are assembled (see `agents.builders`)."""

from troupe import specs
from troupe.agents.actor_critic import builder as ac_builder
from troupe.agents.actor_critic import networks as ac_networks
from troupe.agents.d4pg import config as config_lib
from troupe.agents.d4pg import learning
from troupe.agents.d4pg import networks as d4pg_networks


class D4PGBuilder(ac_builder.ActorCriticBuilder):
    """The family's uniform table of n-step transitions and exploring actors
    (`actor_critic.ActorCriticBuilder`) with a `D4PGLearner`. Networks:
    `ActorCriticNetworks(policy, (distributional critic,), observation)`."""

    name = 'd4pg'
    config_class = config_lib.D4PGConfig
    learner_class = learning.D4PGLearner

    def make_networks(self, environment_spec: specs.EnvironmentSpec
                      ) -> ac_networks.ActorCriticNetworks:
        """`d4pg.make_networks` of the config's sizes and critic support."""
        self._seed()
        config = self.config
        return d4pg_networks.make_networks(
            environment_spec, config.policy_hidden_sizes, config.critic_hidden_sizes,
            config.vmin, config.vmax, config.num_atoms)
