"""The builder design: configs, the local runner, clean-up on failure."""

import dataclasses

import numpy as np
import pytest
import reverb
import tensorflow as tf

import troupe
from troupe import environments, errors
from troupe.agents import configs, dqn, local
from troupe.components import loggers, schedules


# Configs.

def test_config_converts_json_values_to_the_annotated_types():
    config = dqn.DQNConfig(batch_size=64.0, samples_per_insert=8, hidden_sizes=[32, 16],
                           epsilon=[1.0, 0.1, 500])
    assert config.batch_size == 64 and type(config.batch_size) is int
    assert config.samples_per_insert == 8.0 and type(config.samples_per_insert) is float
    assert config.hidden_sizes == (32, 16)
    assert config.epsilon == schedules.LinearSchedule(1.0, 0.1, 500)


@pytest.mark.parametrize('kwargs, message', [
    (dict(batch_size=0), r'^DQNConfig.batch_size must be an integer >= 1, got 0.$'),
    (dict(batch_size='64'),
     r"^DQNConfig.batch_size must be an integer, got '64' \(str\).$"),
    (dict(batch_size=2.5), r'^DQNConfig.batch_size must be an integer, got 2.5'),
    (dict(discount=1.5), r'^DQNConfig.discount must be in \[0, 1\], got 1.5.$'),
    (dict(target_update_rate=0.0),
     r'^DQNConfig.target_update_rate must be in \(0, 1\], got 0.0.$'),
    (dict(jit_compile='yes'), r'DQNConfig.jit_compile must be true or false'),
    (dict(hidden_sizes=[64, 0]), r'DQNConfig.hidden_sizes entry must be an integer >= 1'),
    (dict(min_replay_size=10, max_replay_size=5),
     r'DQNConfig.max_replay_size must be >= min_replay_size \(10\), got 5.'),
    (dict(epsilon=[1.0, 0.1]), r'DQNConfig.epsilon must be a number or a schedule'),
])
def test_config_errors_name_the_field_the_value_and_the_range(kwargs, message):
    with pytest.raises(errors.InvalidInput, match=message):
        dqn.DQNConfig(**kwargs)


def test_config_replace_validates_again_and_json_round_trips():
    config = dqn.DQNConfig(epsilon=dqn.LinearEpsilon(1.0, 0.0, 100), n_step=3)
    with pytest.raises(errors.InvalidInput, match='n_step must be an integer >= 1'):
        config.replace(n_step=0)
    values = config.to_json()
    assert values['epsilon'] == [1.0, 0.0, 100] and values['hidden_sizes'] == [64, 64]
    assert dqn.DQNConfig.from_json(values) == config
    with pytest.raises(errors.InvalidInput, match=r"DQNConfig has no field 'nstep'"):
        dqn.DQNConfig.from_json(dict(values, nstep=3))


def test_every_field_has_a_doc():
    for field in dataclasses.fields(dqn.DQNConfig):
        assert configs.doc(field), field.name


def test_replay_ratio_from_the_config():
    config = dqn.DQNConfig(batch_size=64, updates_per_call=4, samples_per_insert=32.0,
                           min_replay_size=10)
    builder = dqn.DQNBuilder(config)
    assert builder.observations_per_step() == 8.0    # 64 · 4 / 32
    assert builder.min_observations() == 64          # max(batch, min_replay_size)


# The local runner.

def _catch():
    environment = environments.make('catch', seed=0)
    return environment, troupe.make_environment_spec(environment)


class _RecordingBuilder(dqn.DQNBuilder):
    """A DQN builder that records the replay address and can fail on demand."""

    fail_in = None

    def make_replay_tables(self, environment_spec, distributed=False):
        self.tables_made = True
        return super().make_replay_tables(environment_spec, distributed)

    def make_dataset_iterator(self, replay_address):
        self.address = replay_address
        return super().make_dataset_iterator(replay_address)

    def make_learner(self, *args, **kwargs):
        if self.fail_in == 'learner':
            raise RuntimeError('learner construction failed')
        return super().make_learner(*args, **kwargs)


def _server_alive(address: str) -> bool:
    try:
        reverb.Client(address).server_info(timeout=2)
        return True
    except Exception:  # noqa: BLE001 - any failure means no server answers.
        return False


def test_a_failed_construction_stops_the_server():
    _, spec = _catch()
    builder = _RecordingBuilder(dqn.DQNConfig(min_replay_size=10, batch_size=8))
    builder.fail_in = 'learner'
    with pytest.raises(RuntimeError, match='learner construction failed'):
        local.LocalAgent(builder, spec)
    assert builder.address.startswith('localhost:')
    assert not _server_alive(builder.address)


def test_an_environment_the_agent_cannot_act_in_is_refused_before_any_server():
    environment = environments.make('pendulum', seed=0)
    builder = _RecordingBuilder()
    with pytest.raises(errors.InvalidInput,
                       match=r'dqn cannot act in this environment: it needs discrete '
                             r'actions, and this environment has continuous actions'):
        local.LocalAgent(builder, troupe.make_environment_spec(environment))
    assert not hasattr(builder, 'tables_made')


def test_close_stops_the_server_and_is_idempotent():
    _, spec = _catch()
    builder = _RecordingBuilder(dqn.DQNConfig(min_replay_size=10, batch_size=8))
    with local.LocalAgent(builder, spec, logger=loggers.NoOpLogger()) as agent:
        assert _server_alive(agent.server_address)
    assert not _server_alive(builder.address)
    agent.close()


def test_actor_with_copied_networks_follows_the_learner(monkeypatch):
    # As with a learner on a GPU: the actor acts with CPU copies of the networks
    # and a VariableClient; after learning they hold the learner's values.
    monkeypatch.setattr(local, 'learner_on_cpu', lambda device: False)
    tf.random.set_seed(0)
    environment, spec = _catch()
    agent = dqn.DQN(spec, checkpoint=False, logger=loggers.NoOpLogger(), batch_size=8,
                    min_replay_size=20, samples_per_insert=8.0, epsilon=0.5)
    try:
        learner_network = agent.networks
        actor_network = agent.policy.network
        assert actor_network is not learner_network
        # Synchronised once at construction.
        for a, b in zip(actor_network.trainable_variables,
                        learner_network.trainable_variables):
            np.testing.assert_array_equal(a.numpy(), b.numpy())
        troupe.EnvironmentLoop(environment, agent, logger=loggers.NoOpLogger()).run(
            num_episodes=10)
        assert agent.learner.num_updates > 0
        agent._actor.update(wait=True)
        for a, b in zip(actor_network.trainable_variables,
                        learner_network.trainable_variables):
            np.testing.assert_allclose(a.numpy(), b.numpy())
        assert all('CPU:0' in v.device for v in actor_network.variables)
    finally:
        agent.close()


def test_shared_networks_when_the_learner_is_on_a_cpu():
    _, spec = _catch()
    with dqn.DQN(spec, checkpoint=False, logger=loggers.NoOpLogger(),
                 device='/CPU:1') as agent:
        assert agent.device == '/CPU:1'
        assert agent.policy.network is agent.networks
        assert all(v.device.endswith('CPU:1') for v in agent.networks.variables)


def test_acme_positional_order_and_unknown_keywords():
    _, spec = _catch()
    with dqn.DQN(spec, None, 32, 2, 50, checkpoint=False,
                 logger=loggers.NoOpLogger()) as agent:
        assert (agent.config.batch_size, agent.config.prefetch_size,
                agent.config.target_update_period) == (32, 2, 50)
    with pytest.raises(TypeError, match=r"'batchsize' is not a hyperparameter of "
                                        r'DQNConfig'):
        dqn.DQN(spec, checkpoint=False, batchsize=32)


def test_num_envs_is_checked():
    _, spec = _catch()
    with pytest.raises(errors.InvalidInput, match='num_envs must be an integer >= 1'):
        dqn.DQN(spec, checkpoint=False, num_envs=0)
