"""Non-finite updates: a learner whose loss or gradient is NaN or Inf raises
`NonFiniteLossError` naming the fetch and the step, counts, logs and
checkpoints nothing of the bad update (the last checkpoint is the last good
one); with on_non_finite='skip' it undoes the update, counts it and goes on.

Real learners made by their builders, fed by a real Reverb server: each table
is a FIFO queue, so the batches arrive in the order their transitions were
written, good ones and bad ones (a NaN reward) exactly where a test puts them.
"""

import copy
import math

import numpy as np
import pytest
import reverb
import sonnet as snt
import tensorflow as tf
import tree
from dm_env import specs as dm_specs

from troupe import errors, specs, types
from troupe.agents import dqn, sac
from troupe.components import adders, counting, learning, loggers, savers
from troupe.components import utils as tf2_utils

_DISCRETE = specs.EnvironmentSpec(
    observations=dm_specs.Array((1,), np.float32),
    actions=dm_specs.DiscreteArray(2),
    rewards=dm_specs.Array((), np.float32),
    discounts=dm_specs.BoundedArray((), np.float32, 0., 1.))

_CONTINUOUS = specs.EnvironmentSpec(
    observations=dm_specs.Array((2,), np.float32),
    actions=dm_specs.BoundedArray((1,), np.float32, -1., 1.),
    rewards=dm_specs.Array((), np.float32),
    discounts=dm_specs.BoundedArray((), np.float32, 0., 1.))


def _transitions(spec, rewards, seed):
    """One transition per reward, with random observations and actions."""
    rng = np.random.default_rng(seed)
    signature = adders.NStepTransitionAdder.signature(spec)
    out = []
    for reward in rewards:
        if isinstance(spec.actions, dm_specs.DiscreteArray):
            action = rng.integers(spec.actions.num_values)
        else:
            action = rng.uniform(-1., 1., spec.actions.shape)
        values = types.Transition(
            observation=rng.normal(size=spec.observations.shape), action=action,
            reward=reward, discount=0.9,
            next_observation=rng.normal(size=spec.observations.shape), extras=())
        out.append(tree.map_structure(
            lambda s, v: np.asarray(v, s.dtype.as_numpy_dtype).reshape(s.shape),
            signature, values))
    return out


class _Replay:
    """A real Reverb server with one FIFO table of `spec`'s transitions."""

    def __init__(self, factory, builder, spec):
        self.table = builder.config.replay_table_name
        self.server = factory([reverb.Table.queue(
            self.table, max_size=1000,
            signature=adders.NStepTransitionAdder.signature(spec))])
        self.address = f'localhost:{self.server.port}'

    def write(self, transitions):
        client = reverb.Client(self.address)
        with client.trajectory_writer(num_keep_alive_refs=1) as writer:
            for transition in transitions:
                writer.append(transition)
                writer.create_item(self.table, 1.0,
                                   tree.map_structure(lambda c: c[-1], writer.history))


def _dqn(factory, transitions, networks=None, **config):
    """A DQN learner made by its builder from `networks` (default: the
    builder's), reading `transitions` in order, two per batch; and its log."""
    config = dqn.DQNConfig(**dict(dict(n_step=1, batch_size=2, prefetch_size=0,
                                       num_parallel_calls=1, hidden_sizes=(8,),
                                       target_update_period=2, learning_rate=0.01),
                                  **config))
    builder = dqn.DQNBuilder(config)
    replay = _Replay(factory, builder, _DISCRETE)
    replay.write(transitions)
    if networks is None:
        networks = builder.make_networks(_DISCRETE)
    log = loggers.InMemoryLogger()
    learner = builder.make_learner(networks, builder.make_dataset_iterator(replay.address),
                                   _DISCRETE, counting.Counter(), log)
    return learner, log


def _dqn_networks():
    """Networks with their variables made, so that copies start equal."""
    networks = dqn.DQNBuilder(dqn.DQNConfig(hidden_sizes=(8,))).make_networks(_DISCRETE)
    tf2_utils.create_variables(networks, [_DISCRETE.observations])
    return networks


def _values(learner):
    """Every variable of the learner's state (networks, targets, optimizer
    slots, RNG state, num_steps), as numpy arrays."""
    found = {}
    for key, value in learner.state.items():
        if isinstance(value, tf.random.Generator):
            found[f'{key}/state'] = value.state.numpy()
        elif isinstance(value, tf.Variable):
            found[key] = value.numpy()
        elif isinstance(value, tf.Module):
            for variable in learning._module_variables(value):
                found[f'{key}/{variable.name}'] = variable.numpy()
    return found


def _assert_equal(values, expected, rtol=0.):
    assert sorted(values) == sorted(expected)
    for name in expected:
        np.testing.assert_allclose(values[name], expected[name], rtol=rtol, atol=1e-7,
                                   err_msg=name)


def _finite(values):
    return all(np.all(np.isfinite(v)) for v in values.values())


# Batches of two transitions: good ones, and one with a NaN reward.
GOOD = [_transitions(_DISCRETE, rewards, seed) for seed, rewards in
        enumerate([[1., -1.], [0.5, 2.], [-2., 0.], [1., 1.]])]
BAD = _transitions(_DISCRETE, [float('nan'), 0.5], seed=10)
W = 'network/mlp/linear_0/w:0'


@pytest.mark.parametrize('jit_compile', [True, False])
def test_nan_reward_raises_naming_the_loss_and_step_and_counts_nothing(
        reverb_server_factory, jit_compile):
    learner, log = _dqn(reverb_server_factory, GOOD[0] + BAD + GOOD[1],
                        jit_compile=jit_compile)
    assert learner.on_non_finite == 'raise'  # The default.
    learner.step()
    before = _values(learner)
    assert _finite(before)
    with pytest.raises(errors.NonFiniteLossError) as raised:
        learner.step()
    error = raised.value
    message = str(error)
    assert message.startswith('DQNLearner: the update at learner step 2 produced a '
                              'non-finite loss (nan); also non-finite: priorities '
                              '(1 of 2 values). Nothing was logged or '
                              'checkpointed after it, so the last checkpoint is the '
                              'last good one.')
    assert (error.learner, error.step, error.name) == ('DQNLearner', 2, 'loss')
    assert math.isnan(error.value)
    # The fetches, then the variables the NaN gradient reached.
    assert error.non_finite[:2] == ('loss', 'priorities')
    assert f'{W}' in error.non_finite
    assert isinstance(error, FloatingPointError)
    # Nothing counted or logged for the bad update; the variables are as it
    # left them (no copy is kept in 'raise' mode: the run stops).
    assert learner.num_updates == 1
    assert learner._counter.get_counts()['steps'] == 1
    assert len(log.data) == 1
    assert not _finite(_values(learner))


def test_bad_update_inside_a_call_of_several_counts_the_ones_before(
        reverb_server_factory):
    # One call of 3 updates: good, bad, good. The first is counted, the second
    # is the error, the third is not counted either (the call fails there).
    learner, log = _dqn(reverb_server_factory, GOOD[0] + BAD + GOOD[1],
                        updates_per_call=3)
    with pytest.raises(errors.NonFiniteLossError, match='learner step 2') as raised:
        learner.step()
    assert raised.value.step == 2
    assert raised.value.name == 'loss'
    assert learner.num_updates == 1 and learner._counter.get_counts()['steps'] == 1
    assert log.data == []


def test_no_checkpoint_is_saved_after_a_non_finite_update(reverb_server_factory,
                                                          tmp_path):
    learner, _ = _dqn(reverb_server_factory, GOOD[0] + BAD)
    # The learner's own checkpointer, made to save at every step.
    checkpointer = savers.Checkpointer(learner.state, directory=str(tmp_path),
                                       subdirectory='learner', add_uid=False,
                                       time_delta_minutes=0, max_to_keep=5)
    learner._recorder.checkpointer = checkpointer
    learner.step()
    good = _values(learner)

    def saved():
        state = tf.train.get_checkpoint_state(checkpointer.directory)
        return list(state.all_model_checkpoint_paths)

    assert len(saved()) == 1
    with pytest.raises(errors.NonFiniteLossError):
        learner.step()
    assert len(saved()) == 1
    # A learner restored from the directory has the good state (its optimizer
    # slots are restored when its first update makes them).
    restored, _ = _dqn(reverb_server_factory, GOOD[1])
    savers.Checkpointer(restored.state, directory=str(tmp_path), subdirectory='learner',
                        add_uid=False)
    values = _values(restored)
    assert W in values and values['num_steps'] == 1
    for name, value in values.items():
        np.testing.assert_array_equal(value, good[name], err_msg=name)


@pytest.mark.parametrize('jit_compile', [True, False])
def test_skip_leaves_variables_unchanged_counts_and_goes_on(reverb_server_factory,
                                                            jit_compile):
    # The very first updates are bad (the optimizer's slots are made then:
    # they must stay at their initial values), then three good ones. A
    # reference learner from the same initial networks sees only the good.
    networks = _dqn_networks()
    reference, _ = _dqn(reverb_server_factory, GOOD[1] + GOOD[2] + GOOD[3],
                        copy.deepcopy(networks), jit_compile=jit_compile)
    learner, log = _dqn(reverb_server_factory, BAD + BAD + GOOD[1] + GOOD[2] + GOOD[3],
                        networks, on_non_finite='skip', jit_compile=jit_compile)
    assert learner.on_non_finite == 'skip'  # Set from the config by the builder.
    initial = _values(learner)
    learner.step()
    assert learner.skipped_updates == 1 and learner.num_updates == 0
    assert log.data[-1]['skipped_updates'] == 1 and log.data[-1]['steps'] == 0
    assert math.isnan(log.data[-1]['loss'])
    learner.step()
    assert learner.skipped_updates == 2 and learner.num_updates == 0
    # The optimizer's moments, made by the first update, are still zero.
    values = _values(learner)
    assert any(k.startswith('optimizer/adam/m/') for k in values)
    assert all(np.all(values[k] == 0) for k in values if k.startswith('optimizer/'))
    _assert_equal({k: values[k] for k in initial}, initial)
    for _ in range(3):
        learner.step()
        reference.step()
    assert learner.skipped_updates == 2 and learner.num_updates == 3
    assert log.data[-1]['skipped_updates'] == 2 and log.data[-1]['steps'] == 3
    _assert_equal(_values(learner), _values(reference), rtol=1e-6)
    assert not np.array_equal(_values(learner)[W], initial[W])


def test_skip_inside_a_call_applies_the_other_updates(reverb_server_factory):
    # One call of [good, bad, good] applies the two good updates, exactly as a
    # call of 2 updates on just those two batches does.
    networks = _dqn_networks()
    reference, _ = _dqn(reverb_server_factory, GOOD[0] + GOOD[1],
                        copy.deepcopy(networks), updates_per_call=2)
    learner, log = _dqn(reverb_server_factory, GOOD[0] + BAD + GOOD[1], networks,
                        on_non_finite='skip', updates_per_call=3)
    learner.step()
    reference.step()
    assert learner.skipped_updates == 1 and learner.num_updates == 2
    assert log.data[-1]['skipped_updates'] == 1 and log.data[-1]['steps'] == 2
    _assert_equal(_values(learner), _values(reference), rtol=1e-6)


def test_a_diverging_step_is_caught_as_a_non_finite_gradient(reverb_server_factory):
    # SGD at 1e38 with large TD errors: the update's loss is finite, but the
    # step it takes overflows the weights to ±Inf; the check of the variables
    # after the update catches it.
    builder = dqn.DQNBuilder(dqn.DQNConfig(n_step=1, batch_size=2, prefetch_size=0,
                                           num_parallel_calls=1))
    replay = _Replay(reverb_server_factory, builder, _DISCRETE)
    replay.write(_transitions(_DISCRETE, [100., -100.], seed=0))
    network = snt.Linear(2, w_init=tf.constant_initializer(1.))
    learner = dqn.DQNLearner(
        network, copy.deepcopy(network), discount=0.9, importance_sampling_exponent=0.2,
        learning_rate=1., target_update_period=2, huber_loss_parameter=1e6,
        dataset=builder.make_dataset_iterator(replay.address), checkpoint=False,
        logger=loggers.InMemoryLogger(), optimizer=snt.optimizers.SGD(1e38))
    with pytest.raises(errors.NonFiniteLossError) as raised:
        learner.step()
    message = str(raised.value)
    assert message.startswith('DQNLearner: the update at learner step 1 produced a '
                              'non-finite gradient: it made network/')
    assert 'non-finite (its fetches were finite: loss (' in message
    assert raised.value.name.startswith('network/') and raised.value.value is None
    assert 'loss' not in raised.value.non_finite
    assert learner.num_updates == 0


def test_an_inf_loss_is_named(reverb_server_factory):
    # Rewards of 3e38: each Huber term (linear at δ = 1) is finite, but their
    # sum in the mean overflows the loss to Inf; the gradient, Huber-clipped,
    # stays finite: the loss alone is non-finite.
    learner, _ = _dqn(reverb_server_factory,
                      _transitions(_DISCRETE, [3e38, 3e38], 0))
    with pytest.raises(errors.NonFiniteLossError,
                       match=r'step 1 produced a non-finite loss \(inf\)\. ') as raised:
        learner.step()
    assert raised.value.value == math.inf
    assert raised.value.non_finite == ('loss',)


def _sac(factory, rewards, **config):
    config = sac.SACConfig(**dict(dict(batch_size=2, prefetch_size=0,
                                       num_parallel_calls=1, policy_hidden_sizes=(8,),
                                       critic_hidden_sizes=(8,), seed=0),
                                  **config))
    builder = sac.SACBuilder(config)
    replay = _Replay(factory, builder, _CONTINUOUS)
    replay.write(sum((_transitions(_CONTINUOUS, r, seed) for seed, r in
                      enumerate(rewards)), []))
    log = loggers.InMemoryLogger()
    learner = builder.make_learner(builder.make_networks(_CONTINUOUS),
                                   builder.make_dataset_iterator(replay.address),
                                   _CONTINUOUS, counting.Counter(), log)
    return learner, log


@pytest.mark.parametrize('mode', ['raise', 'skip'])
def test_sac_nan_reward_names_the_critic_loss_and_counts_nothing(
        reverb_server_factory, mode):
    learner, log = _sac(reverb_server_factory,
                        [[1., -1.], [float('nan'), 0.5], [0.5, 2.]], on_non_finite=mode)
    learner.step()
    before = _values(learner)  # Critics, targets, policy, 3 optimizers, α, RNG.
    assert _finite(before)
    assert 'rng/state' in before and 'log_alpha' in before
    if mode == 'raise':
        with pytest.raises(errors.NonFiniteLossError) as raised:
            learner.step()
        assert raised.value.name == 'critic_loss'
        assert raised.value.step == 2
        assert str(raised.value).startswith(
            'SACLearner: the update at learner step 2 produced a non-finite '
            'critic_loss (nan)')
        assert len(log.data) == 1 and learner.num_updates == 1
        return
    learner.step()
    assert learner.skipped_updates == 1
    assert log.data[-1]['skipped_updates'] == 1
    assert math.isnan(log.data[-1]['critic_loss'])
    _assert_equal(_values(learner), before)  # Undone, RNG state included.
    assert learner.num_updates == 1
    learner.step()  # A good batch afterwards updates normally.
    assert learner.num_updates == 2
    after = _values(learner)
    assert _finite(after)
    assert not np.array_equal(after['critic_1/mlp/linear_0/w:0'],
                              before['critic_1/mlp/linear_0/w:0'])


def test_the_option_is_checked_everywhere():
    with pytest.raises(errors.InvalidInput,
                       match=r"DQNConfig.on_non_finite must be 'raise' .* or 'skip' "
                             r".*got 'ignore'"):
        dqn.DQNConfig(on_non_finite='ignore')
    with pytest.raises(errors.InvalidInput, match='SACConfig.on_non_finite'):
        sac.SACConfig(on_non_finite=True)
    assert dqn.DQNConfig.from_json({'on_non_finite': 'skip'}).on_non_finite == 'skip'
    with pytest.raises(errors.InvalidInput, match="got 'Skip'"):
        learning.check_non_finite_mode('on_non_finite', 'Skip')


def test_a_diverging_training_run_stops_in_one_line_and_saves_nothing_after(
        capsys, tmp_path):
    from troupe import cli
    logdir = tmp_path / 'run'
    status = cli.main(['train', 'dqn', '--env', 'cartpole', '--steps', '3000',
                       '--config', 'learning_rate=1e30', '--logdir', str(logdir),
                       '--no-plot'])
    captured = capsys.readouterr()
    assert status == 1
    lines = captured.err.strip().splitlines()
    assert lines[-1].startswith('troupe: error: DQNLearner: the update at learner step ')
    assert 'non-finite loss (nan)' in lines[-1] and 'Traceback' not in captured.err
    # Stopped: no results, and no run checkpoint written after the bad update.
    assert not (logdir / 'results.json').exists()
