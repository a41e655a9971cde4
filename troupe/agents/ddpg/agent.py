"""DDPG: the single-process agent (Acme's TF `ddpg.DDPG` contract), a thin
wrapper of `LocalAgent(DDPGBuilder(DDPGConfig(...)), ...)`.

It starts a Reverb server with a uniform table, writes n-step transitions with
an `NStepTransitionAdder`, acts with the policy plus clipped Gaussian noise
through a `FeedForwardActor`, and trains a `DDPGLearner` on batches from
`make_reverb_dataset`: one learner step every batch_size · updates_per_call /
samples_per_insert observations after max(batch_size, min_replay_size).
"""

from troupe.agents.actor_critic import agent as ac_agent
from troupe.agents.ddpg import builder as builder_lib


class DDPG(ac_agent.ActorCriticAgent):
    """Deep Deterministic Policy Gradient with n-step returns and target networks.

    `DDPG(environment_spec, policy_network, critic_network,
    observation_network=tf.identity, discount=0.99, batch_size=256, ...,
    logger=None, counter=None, checkpoint=True, device=None, num_envs=None,
    policy_optimizer=None, critic_optimizer=None, **hyperparameters)`: the
    hyperparameters are the fields of `DDPGConfig` (the first ten may be given
    positionally, in Acme's order), or a whole `config=`; the other arguments
    are `actor_critic.ActorCriticAgent`'s.
    """

    builder_class = builder_lib.DDPGBuilder
