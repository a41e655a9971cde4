"""DQN with an intrinsic reward: the two-stream update by hand, a DQN+RND
learner on a real Reverb table (predictor trained, target fixed, bonus logged
and falling on repeated observations), checkpointed state, the command line,
and bad config values."""

import json
import os

import numpy as np
import pytest
import reverb
import sonnet as snt
import tensorflow as tf

from tests.learner_helpers import constant_transition_batches, fixed_linear
from tests.run_helpers import read_csv, train
from troupe import environments, errors, specs
from troupe.agents import dqn
from troupe.cli import rundir
from troupe.components import intrinsic, loggers, savers


def _two_streams(extrinsic, intrinsic_weights):
    return dqn.ExtrinsicIntrinsicQ(fixed_linear(extrinsic), fixed_linear(intrinsic_weights))


class _ThreeTimesNextObservation(intrinsic.IntrinsicReward):
    """A bonus of 3·s' (a known number) with a loss that trains nothing away
    from zero, to check the learner's use of the interface by hand."""

    def __init__(self, environment_spec):
        super().__init__(environment_spec, name='three_times')
        self.unused = tf.Variable(0.0)

    def compute(self, transitions):
        bonus = 3.0 * tf.reshape(transitions.next_observation, [-1])
        return intrinsic.IntrinsicOutput(bonus, tf.square(self.unused))


def _spec(size=1):
    return specs.EnvironmentSpec(
        observations=specs.Array((size,), np.float32), actions=specs.DiscreteArray(2),
        rewards=specs.Array((), np.float32),
        discounts=specs.BoundedArray((), np.float32, 0.0, 1.0))


def _hand_learner(log, jit_compile, n_step):
    return dqn.DQNLearner(
        _two_streams([[1., 2.]], [[0.5, -1.]]), _two_streams([[0., 0.]], [[0., 0.]]),
        discount=0.5, importance_sampling_exponent=1.0, learning_rate=0.1,
        target_update_period=100,
        dataset=constant_transition_batches([[1.], [2.]], [0, 1], [1., 0.], [1., 0.],
                                  [[1.], [1.]], [0.5, 0.25]),
        huber_loss_parameter=10., checkpoint=False, logger=log,
        optimizer=snt.optimizers.SGD(0.1), jit_compile=jit_compile,
        intrinsic=intrinsic.IntrinsicRewardTrainer(
            _ThreeTimesNextObservation(_spec()), snt.optimizers.SGD(0.1)),
        intrinsic_discount=0.8, n_step=n_step)


def test_two_stream_update_matches_hand_computation():
    # Q_E: W = [1, 2]; Q_I: W = [0.5, -1]; the targets start as copies. At
    # s' = 1 the online sum is [1.5, 1], so both streams bootstrap at a* = 0
    # (Q_E alone would pick 1).
    # Extrinsic (g = 0.5): y = [1 + 0.5·1·1, 0] = [1.5, 0]; Q_E(s, a) = [1, 4];
    #   δ_E = [0.5, -4].
    # Intrinsic (γ_I = 0.8, n = 1, no episode ends): r_I = 3·s' = [3, 3];
    #   y = 3 + 0.8·0.5 = 3.4 for both (the second ends its episode);
    #   Q_I(s, a) = [0.5, -2]; δ_I = [2.9, 5.4].
    # IS weights (β = 1): [0.5, 1]. Huber δ = 10, so quadratic:
    #   L_E = (0.5·0.125 + 8) / 2 = 4.03125; L_I = (0.5·4.205 + 14.58) / 2 = 8.34125.
    # SGD(0.1): dL/dQ = -w·δ/B: E [-0.125, 2], I [-0.725, -2.7];
    #   W_E = [1, 2] - 0.1·[-0.125·1, 2·2] = [1.0125, 1.6];
    #   W_I = [0.5, -1] - 0.1·[-0.725·1, -2.7·2] = [0.5725, -0.46].
    log = loggers.InMemoryLogger()
    learner = _hand_learner(log, jit_compile=True, n_step=1)
    learner.step()
    network = learner.state['network']
    np.testing.assert_allclose(network.extrinsic.w.numpy(), [[1.0125, 1.6]], rtol=1e-6)
    np.testing.assert_allclose(network.intrinsic.w.numpy(), [[0.5725, -0.46]], rtol=1e-6)
    row = log.data[-1]
    assert row['extrinsic_q_loss'] == pytest.approx(4.03125)
    assert row['intrinsic_q_loss'] == pytest.approx(8.34125)
    assert row['loss'] == pytest.approx(4.03125 + 8.34125)
    assert row['intrinsic_reward'] == pytest.approx(3.0)
    assert row['intrinsic_bonus'] == pytest.approx(3.0)
    assert 'priorities' not in row
    # The actors get both streams.
    served = learner.get_variables(['network'])[0]
    np.testing.assert_allclose(served[0], [[1.0125, 1.6]], rtol=1e-6)
    np.testing.assert_allclose(served[1], [[0.5725, -0.46]], rtol=1e-6)


def test_n_step_transitions_bootstrap_the_intrinsic_stream_with_gamma_to_the_n():
    # As above with n = 3 (and no XLA): y_I = 3 + 0.8³·0.5 = 3.256;
    # δ_I = [2.756, 5.256]; the extrinsic stream is unchanged.
    log = loggers.InMemoryLogger()
    _hand_learner(log, jit_compile=False, n_step=3).step()
    expected = (0.5 * 2.756 ** 2 / 2 + 5.256 ** 2 / 2) / 2
    assert log.data[-1]['intrinsic_q_loss'] == pytest.approx(expected, rel=1e-6)
    assert log.data[-1]['extrinsic_q_loss'] == pytest.approx(4.03125)


def test_learner_refuses_a_single_q_network_with_an_intrinsic_reward():
    trainer = intrinsic.IntrinsicRewardTrainer(_ThreeTimesNextObservation(_spec()),
                                               snt.optimizers.SGD(0.1))
    with pytest.raises(errors.InvalidInput, match='needs an ExtrinsicIntrinsicQ.*Linear'):
        dqn.DQNLearner(fixed_linear([[1., 2.]]), fixed_linear([[1., 2.]]), discount=0.5,
                       importance_sampling_exponent=1.0, learning_rate=0.1,
                       target_update_period=1,
                       dataset=constant_transition_batches([[1.]], [0], [1.], [1.], [[1.]], [1.]),
                       checkpoint=False, intrinsic=trainer)


# A DQN+RND learner on a real Reverb table.

def _rnd_config(**changes):
    values = dict(intrinsic_reward='rnd', batch_size=16, min_replay_size=16,
                  prefetch_size=0, num_parallel_calls=1, n_step=3, hidden_sizes=(16,),
                  intrinsic_hidden_sizes=(32,), intrinsic_feature_size=16,
                  intrinsic_learning_rate=1e-2, jit_compile=False)
    values.update(changes)
    return dqn.DQNConfig(**values)


def _filled_table(reverb_server_factory, builder, steps):
    environment = environments.make('mountain_car', seed=0)
    spec = specs.make_environment_spec(environment)
    server = reverb_server_factory(builder.make_replay_tables(spec))
    address = f'localhost:{server.port}'
    client = reverb.Client(address)
    adder = builder.make_adder(client)
    adder.add_first(environment.reset())
    for t in range(steps):
        action = np.int64(2 if (t // 15) % 2 else 0)  # Rock back and forth.
        adder.add(action, environment.step(action))
    return spec, address, client


def test_dqn_rnd_learner_trains_the_predictor_keeps_the_target_and_checkpoints(
        reverb_server_factory, tmp_path):
    builder = dqn.DQNBuilder(_rnd_config())
    spec, address, client = _filled_table(reverb_server_factory, builder, 60)

    def make(log):
        networks = builder.make_networks(spec)
        assert isinstance(networks, dqn.ExtrinsicIntrinsicQ)
        return builder.make_learner(networks, builder.make_dataset_iterator(address),
                                    spec, logger=log, replay_client=client)

    log = loggers.InMemoryLogger()
    learner = make(log)
    model = learner.state['intrinsic_model']
    assert isinstance(model, intrinsic.RND)
    target = [v.numpy().copy() for v in model.target_network.variables]
    predictor = [v.numpy().copy() for v in model.predictor_network.variables]
    learner.run(num_steps=6)
    assert learner.num_updates == 6
    for old, variable in zip(target, model.target_network.variables):
        np.testing.assert_array_equal(old, variable.numpy())
    assert all(not np.array_equal(old, v.numpy())
               for old, v in zip(predictor, model.predictor_network.variables))
    # The observation statistics saw 6 batches of 16 next observations.
    assert model.observation_normalizer.statistics.count.numpy() == 6 * 16
    row = log.data[-1]
    assert row['intrinsic_bonus'] > 0 and row['intrinsic_reward'] > 0
    assert np.isfinite(row['loss']) and np.isfinite(row['intrinsic_loss'])
    assert {'intrinsic_model', 'intrinsic_optimizer', 'intrinsic_reward_normalizer',
            'network', 'target_network', 'optimizer'} <= set(learner.state)

    # What runners checkpoint (`state`) brings the model and its statistics back.
    savers.Checkpointer(dict(learner.state), directory=str(tmp_path),
                        subdirectory='learner', add_uid=False).save(force=True)
    fresh = make(loggers.InMemoryLogger())
    savers.Checkpointer(dict(fresh.state), directory=str(tmp_path),
                        subdirectory='learner', add_uid=False)   # Restores.
    for key in ('intrinsic_model', 'intrinsic_reward_normalizer', 'network'):
        saved, restored = learner.state[key].variables, fresh.state[key].variables
        assert len(saved) == len(restored) > 0
        for a, b in zip(saved, restored):
            np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert fresh.state['intrinsic_model'].observation_normalizer.statistics.count.numpy(
        ) == 6 * 16


def test_the_logged_bonus_falls_on_observations_seen_again_and_again():
    config = _rnd_config(batch_size=32)
    builder = dqn.DQNBuilder(config)
    spec = specs.make_environment_spec(environments.make('mountain_car', seed=0))
    rng = np.random.default_rng(0)
    observations = rng.uniform([-1.2, -0.07], [0.6, 0.07], size=(32, 2))
    dataset = constant_transition_batches(observations, rng.integers(3, size=32), -np.ones(32),
                                np.ones(32), observations[::-1].copy(), np.ones(32) / 32)
    log = loggers.InMemoryLogger()
    learner = builder.make_learner(builder.make_networks(spec), iter(dataset), spec,
                                   logger=log)
    learner.run(num_steps=300)
    first = log.data[0]['intrinsic_bonus']   # Before the first update.
    assert first > 0
    assert log.data[-1]['intrinsic_bonus'] < first / 20, (first, log.data[-1])


# Config values.

@pytest.mark.parametrize('changes, message', [
    ({'intrinsic_scale': -1.0}, r'DQNConfig.intrinsic_scale must be >= 0, got -1.0'),
    ({'intrinsic_reward': 'curiosity'},
     r"DQNConfig.intrinsic_reward must be one of 'rnd', 'icm'.*got 'curiosity'"),
    ({'intrinsic_discount': 1.5}, r'DQNConfig.intrinsic_discount must be in \[0, 1\], '
                                  r'got 1.5'),
    ({'intrinsic_discount': -0.1}, r'intrinsic_discount must be in \[0, 1\], got -0.1'),
    ({'intrinsic_reward': 'icm', 'n_step': 5},
     r"intrinsic_reward='icm' needs n_step=1.*got n_step=5"),
    ({'intrinsic_hidden_sizes': (8, 0)}, r'intrinsic_hidden_sizes entry must be an '
                                         r'integer >= 1, got 0'),
])
def test_bad_intrinsic_config_values_are_named(changes, message):
    with pytest.raises(errors.InvalidInput, match=message):
        dqn.DQNConfig(**changes)


def test_the_default_config_has_no_intrinsic_reward_and_a_single_network():
    config = dqn.DQNConfig()
    assert config.intrinsic_reward is None
    spec = specs.make_environment_spec(environments.make('mountain_car', seed=0))
    assert isinstance(dqn.DQNBuilder(config).make_networks(spec), snt.Sequential)
    with pytest.raises(errors.InvalidInput, match='make_policy.*ExtrinsicIntrinsicQ'):
        dqn.DQNBuilder(_rnd_config()).make_policy(
            dqn.DQNBuilder(config).make_networks(spec), spec)


def test_command_line_trains_dqn_with_rnd_on_mountain_car(tmp_path, capsys):
    logdir, _ = train(tmp_path, capsys, 'dqn', '--env', 'mountain_car', '--steps', '40',
                      '--eval-episodes', '1', '--no-plot', '--config',
                      'intrinsic_reward=rnd', 'min_replay_size=16', 'batch_size=8',
                      'hidden_sizes=[16]', 'intrinsic_hidden_sizes=[16]',
                      'jit_compile=false')
    config = json.load(open(os.path.join(logdir, 'config.json')))
    assert config['hyperparameters']['intrinsic_reward'] == 'rnd'
    results = json.load(open(os.path.join(logdir, 'results.json')))
    assert results['learner_updates'] > 0
    rows = read_csv(rundir.csv_path(logdir, 'learner'))
    assert rows and float(rows[-1]['intrinsic_bonus']) > 0
    assert np.isfinite(float(rows[-1]['intrinsic_q_loss']))
