"""D4PG: the single-process agent (Acme's TF `d4pg.D4PG` contract).

The same assembly as `ddpg.DDPG` (uniform replay of n-step transitions, the
policy plus `ClippedGaussian(sigma)` and `ClipToSpec` as behaviour, Acme's
schedule and defaults), trained by a `D4PGLearner`: the critic must return a
distribution, e.g. end in `networks.DiscreteValuedHead`
(see `d4pg.make_default_networks`).
"""

from troupe.agents.d4pg import learning
from troupe.agents.ddpg import agent as ddpg_agent


class D4PG(ddpg_agent.DDPG):
    """Distributed Distributional DDPG, in one process.

    Arguments as `ddpg.DDPG`: `D4PG(environment_spec, policy_network,
    critic_network, observation_network=tf.identity, discount=0.99,
    batch_size=256, prefetch_size=4, target_update_period=100,
    min_replay_size=1000, max_replay_size=1000000, samples_per_insert=32.0,
    n_step=5, sigma=0.3, clipping=True, logger=None, counter=None,
    checkpoint=True, device=None, *, policy_optimizer=None,
    critic_optimizer=None, ...)`.
    """

    _name = 'D4PG'
    _learner_class = learning.D4PGLearner
