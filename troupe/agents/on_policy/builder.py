"""OnPolicyBuilder: the parts REINFORCE, A2C and IMPALA share (see `agents.builders`).

A FIFO queue table of (T + 1)-step sequences (the same locally and
distributed: inserts wait while it is full), a `SequenceAdder` writing one
every T steps, one in-order sampling stream for the learner, softmax-sampling
actors that store their log-probabilities (and a recurrent core's state), and
greedy evaluation policies. Subclasses choose the learner (and IMPALA the
recurrent default network).
"""

from typing import Any, Dict, Iterator, List, Optional

import reverb
import sonnet as snt

from troupe import core, specs
from troupe.agents import builders, spaces
from troupe.agents.on_policy import acting, policies
from troupe.agents.on_policy import config as config_lib
from troupe.agents.on_policy import networks as networks_lib
from troupe.components import actors, adders, counting, loggers, replay
from troupe.components.variables import VariableClient


class OnPolicyBuilder(builders.ActorLearnerBuilder):
    """The on-policy family's builder. Networks: one (logits, value) module,
    feed-forward or an `snt.RNNCore`."""

    config_class = config_lib.OnPolicyConfig
    actions = spaces.DISCRETE
    batched_acting = False
    on_policy = True

    def __init__(self, config: Optional[config_lib.OnPolicyConfig] = None,
                 networks: Optional[snt.Module] = None):
        """Args:
          config: the hyperparameters (default: the config class's defaults).
          networks: the networks the agent will act and learn with, when they
            are not `make_networks`'; only whether they are recurrent (and the
            shape of their core state) is read, for the table signature.
        """
        super().__init__(config)
        self._extras_spec = None if networks is None else acting.extras_spec(networks)

    def extras_spec(self, environment_spec: specs.EnvironmentSpec) -> Dict[str, Any]:
        """The extras every step carries ('log_prob', 'mask', and 'core_state'
        for a recurrent network)."""
        if self._extras_spec is not None:
            return self._extras_spec
        return acting.extras_spec(self.make_networks(environment_spec))

    # Replay: a queue that the learner drains.
    def make_replay_tables(self, environment_spec: specs.EnvironmentSpec,
                           distributed: bool = False) -> List[reverb.Table]:
        del distributed  # A queue's inserts always wait while it is full.
        config = self.config
        signature = adders.SequenceAdder.signature(
            environment_spec, self.extras_spec(environment_spec),
            sequence_length=config.sequence_length + 1)
        return [replay.queue_table(config.replay_table_name, config.max_queue_size,
                                   signature=signature)]

    def make_dataset_iterator(self, replay_address: str) -> Iterator[reverb.ReplaySample]:
        """Batches in insertion order from ONE sampling stream: with parallel
        streams each would batch on its own and a batch could wait for items
        the other holds."""
        config = self.config
        return iter(replay.make_reverb_dataset(
            replay_address, batch_size=config.batch_size,
            table=config.replay_table_name, num_parallel_calls=1))

    def make_adder(self, replay_client: reverb.Client,
                   num_envs: Optional[int] = None) -> adders.Adder:
        """T + 1 steps every T steps, zero-padded at the end of an episode."""
        if num_envs is not None:
            raise ValueError(f'{self.name} acts in one environment at a time; '
                             f'num_envs={num_envs} is for agents with batched actors.')
        config = self.config
        return adders.SequenceAdder(
            replay_client, sequence_length=config.sequence_length + 1,
            period=config.sequence_length,
            end_of_episode_behavior=adders.EndBehavior.ZERO_PAD,
            priority_fns={config.replay_table_name: None})

    # Networks, policies, actors.
    def make_networks(self, environment_spec: specs.EnvironmentSpec) -> snt.Module:
        config = self.config
        return networks_lib.make_mlp_network(environment_spec, config.hidden_sizes,
                                             config.shared_torso, agent=self.name)

    def make_policy(self, networks: snt.Module, environment_spec: specs.EnvironmentSpec,
                    evaluation: bool = False) -> snt.Module:
        """Samples the softmax (with log-probabilities), or with `evaluation`
        takes the argmax of the logits; recurrent for an `snt.RNNCore`."""
        dtype = environment_spec.actions.dtype
        recurrent = isinstance(networks, snt.RNNCore)
        if evaluation:
            policy_class = (policies.GreedyRecurrentLogits if recurrent
                            else policies.GreedyLogits)
        else:
            policy_class = (policies.SampledRecurrentPolicy if recurrent
                            else policies.SampledPolicy)
        return policy_class(networks, dtype)

    def make_actor(self, policy: snt.Module, environment_spec: specs.EnvironmentSpec,
                   variable_source: Optional[core.VariableSource] = None,
                   adder: Optional[adders.Adder] = None, *,
                   batched: bool = False,
                   variable_update_period: int = 1) -> core.Actor:
        """An actor for a `make_policy` policy; only a feed-forward evaluation
        policy acts on a batch of environments. The variable client refreshes
        the source's 'policy' group."""
        recurrent = isinstance(policy, snt.RNNCore)
        sampled = isinstance(policy, (policies.SampledPolicy,
                                      policies.SampledRecurrentPolicy))
        if batched and (recurrent or sampled):
            raise ValueError(
                f'{self.name} acts in one environment at a time; only its '
                f'feed-forward evaluation policy acts on a batch, got '
                f'{type(policy).__name__}.')
        client = None
        if variable_source is not None:
            builders.create_policy_variables(policy, environment_spec)
            client = VariableClient(variable_source,
                                    {'policy': policy.network.trainable_variables},
                                    update_period=variable_update_period)
        if isinstance(policy, policies.SampledRecurrentPolicy):
            return acting.RecurrentOnPolicyActor(policy, adder, client)
        if isinstance(policy, policies.SampledPolicy):
            return acting.OnPolicyActor(policy, adder, client)
        if recurrent:
            return actors.RecurrentActor(policy, adder, client,
                                         store_recurrent_state=False)
        return actors.FeedForwardActor(policy, adder, client, batched=batched)

    # Learners.
    def learner_kwargs(self, counter: Optional[counting.Counter] = None,
                       logger: Optional[loggers.Logger] = None,
                       device: Optional[str] = None) -> Dict[str, Any]:
        """The `OnPolicyLearner` arguments every learner of the family takes."""
        config = self.config
        return dict(discount=config.discount, learning_rate=config.learning_rate,
                    entropy_cost=config.entropy_cost,
                    baseline_cost=config.baseline_cost,
                    max_gradient_norm=config.max_gradient_norm,
                    max_abs_reward=config.max_abs_reward, counter=counter,
                    logger=logger, checkpoint=False, device=device)

    # The nominal schedule (a single process uses the queue's, see `LocalAgent`).
    def min_observations(self) -> int:
        """`batch_size`: every sequence holds at least one real step."""
        return self.config.batch_size

    def observations_per_step(self) -> float:
        """T · batch_size env steps per update when no episode ends."""
        return float(self.config.sequence_length * self.config.batch_size)
