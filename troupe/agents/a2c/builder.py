"""Builders of the on-policy agents' parts, shared by the single-process agents
(REINFORCE, A2C, IMPALA) and a distributed runtime: queue table, adder,
dataset, actor and learner."""

import copy
from typing import Callable, Optional, Tuple

import reverb
import sonnet as snt
import tensorflow as tf

from troupe import core, specs
from troupe.agents.a2c import acting
from troupe.agents.a2c import config as config_lib
from troupe.agents.a2c import learning
from troupe.agents.a2c import on_policy
from troupe.components import counting, devices, loggers
from troupe.components import utils as tf2_utils
from troupe.components.variables import VariableClient

make_queue_table = on_policy.make_queue_table
make_adder = on_policy.make_adder
make_dataset = on_policy.make_dataset


def is_recurrent(network: snt.Module) -> bool:
    """Whether `network` is a recurrent core (acts with a state)."""
    return isinstance(network, snt.RNNCore)


def make_extras_spec(network: snt.Module):
    """The extras the actor for `network` writes (with 'core_state' if recurrent)."""
    state_spec = acting.core_state_spec(network) if is_recurrent(network) else None
    return acting.extras_spec(state_spec)


def make_actor(network: snt.Module, environment_spec: specs.EnvironmentSpec,
               adder=None, variable_source: Optional[core.VariableSource] = None,
               variable_update_period: int = 1):
    """An on-policy actor for `network` (recurrent if it is an `snt.RNNCore`).

    With a `variable_source`, `network` is the actor's own copy and a
    VariableClient refreshes it from the source's 'policy' group.
    """
    client = None
    if variable_source is not None:
        client = VariableClient(variable_source,
                                {'policy': network.trainable_variables},
                                update_period=variable_update_period)
    actor_class = (acting.RecurrentOnPolicyActor if is_recurrent(network)
                   else acting.OnPolicyActor)
    return actor_class(network, environment_spec.actions, adder=adder,
                       variable_client=client)


def make_learner(network: snt.Module, dataset: tf.data.Dataset,
                 config: config_lib.A2CConfig,
                 counter: Optional[counting.Counter] = None,
                 logger: Optional[loggers.Logger] = None,
                 checkpoint: bool = True,
                 device: Optional[str] = None,
                 directory: str = '~/troupe') -> learning.A2CLearner:
    """The A2CLearner configured by `config`."""
    return learning.A2CLearner(
        network, dataset, discount=config.discount,
        learning_rate=config.learning_rate, entropy_cost=config.entropy_cost,
        baseline_cost=config.baseline_cost, lambda_=config.lambda_,
        n_step=config.n_step, max_gradient_norm=config.max_gradient_norm,
        max_abs_reward=config.max_abs_reward, counter=counter, logger=logger,
        checkpoint=checkpoint, device=device, directory=directory)


def _build_actor_variables(network: snt.Module,
                           environment_spec: specs.EnvironmentSpec) -> None:
    if is_recurrent(network):
        observation = tf2_utils.zeros_like(environment_spec.observations, 1)
        network(tf.nest.map_structure(tf.convert_to_tensor, observation),
                network.initial_state(1))
    else:
        tf2_utils.create_variables(network, [environment_spec.observations])


def actor_shares_learner_network(learner_device: str) -> bool:
    """Actors run on the CPU: they use the learner's network when it is there too."""
    return tf.DeviceSpec.from_string(learner_device).device_type == 'CPU'


LearnerFactory = Callable[[snt.Module, tf.data.Dataset, str], core.Learner]


def make_single_process_parts(
        environment_spec: specs.EnvironmentSpec, network: snt.Module,
        config: config_lib.OnPolicyConfig, make_learner_fn: LearnerFactory,
        device: Optional[str], agent: str
) -> Tuple[core.Actor, core.Learner, reverb.Server]:
    """Server, actor and learner of a single-process on-policy agent.

    The learner is built by `make_learner_fn(network, dataset, device)`. When it
    runs on a CPU, the actor shares its network (no copies on the acting path);
    otherwise the actor acts with a CPU copy refreshed after each update.
    """
    acting.check_discrete_actions(environment_spec, agent)
    config.validate()
    server = reverb.Server([on_policy.make_queue_table(
        environment_spec, config, make_extras_spec(network))], port=None)
    address = f'localhost:{server.port}'
    try:
        adder = on_policy.make_adder(reverb.Client(address), config)
        dataset = on_policy.make_dataset(address, config)
        learner_device = devices.select_device(device, role=agent)
        share = actor_shares_learner_network(learner_device)
        # Copy before the learner builds its variables on its device.
        actor_network = network if share else copy.deepcopy(network)
        learner = make_learner_fn(network, dataset, learner_device)
        if share:
            actor = make_actor(network, environment_spec, adder)
        else:
            with tf.device('/CPU:0'):
                _build_actor_variables(actor_network, environment_spec)
            actor = make_actor(actor_network, environment_spec, adder,
                               variable_source=learner)
            actor.update(wait=True)
    except Exception:
        server.stop()
        raise
    return actor, learner, server
