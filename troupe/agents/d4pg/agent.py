"""D4PG: the single-process agent (Acme's TF `d4pg.D4PG` contract), a thin
wrapper of `LocalAgent(D4PGBuilder(D4PGConfig(...)), ...)`.

DDPG's assembly (uniform replay of n-step transitions, the policy plus
`ClippedGaussian(sigma)` and `ClipToSpec` as behaviour, Acme's schedule and
defaults), trained by a `D4PGLearner`: the critic must return a distribution,
e.g. end in `networks.DiscreteValuedHead` (see `d4pg.make_networks`).
"""

from troupe.agents.actor_critic import agent as ac_agent
from troupe.agents.d4pg import builder as builder_lib


class D4PG(ac_agent.ActorCriticAgent):
    """Distributed Distributional DDPG, in one process.

    `D4PG(environment_spec, policy_network, critic_network,
    observation_network=tf.identity, discount=0.99, batch_size=256, ...,
    logger=None, counter=None, checkpoint=True, device=None, num_envs=None,
    policy_optimizer=None, critic_optimizer=None, **hyperparameters)`: the
    hyperparameters are the fields of `D4PGConfig` (the first ten may be given
    positionally), or a whole `config=`; the other arguments are
    `actor_critic.ActorCriticAgent`'s. `vmin`, `vmax` and `num_atoms` size only
    the default networks (`D4PGBuilder.make_networks`), not a given critic.
    """

    builder_class = builder_lib.D4PGBuilder
