"""Tests of troupe.components.loggers: every logger's output read back exactly."""

import io
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tensorflow as tf

from troupe.components import loggers
from troupe.components.loggers import terminal

NEVER = 1e9  # A time_delta no test run can reach: only the first write passes.


class _ClosingLogger(loggers.Logger):
    """Records writes and whether it was closed."""

    def __init__(self):
        self.writes = []
        self.closed = False

    def write(self, data):
        self.writes.append(data)

    def close(self):
        self.closed = True


class _FailingLogger(loggers.Logger):
    def write(self, data):
        raise OSError(f'disk full while writing {sorted(data)}')

    def close(self):
        pass


def _read(path):
    with open(path, newline='', encoding='utf-8') as f:
        return f.read()


# ---------------------------------------------------------------- base


def test_to_numpy_converts_tensors_only():
    converted = loggers.to_numpy({'a': tf.constant(1.5), 'b': 2, 'c': 'x',
                                  'd': tf.Variable([1, 2])})
    assert converted['a'] == np.float32(1.5)
    assert isinstance(converted['a'], np.float32)
    assert converted['b'] == 2 and converted['c'] == 'x'
    np.testing.assert_array_equal(converted['d'], np.array([1, 2], np.int32))


def test_noop_logger_accepts_writes():
    logger = loggers.NoOpLogger()
    logger.write({'a': 1})
    logger.close()


# ---------------------------------------------------------------- terminal


@pytest.mark.parametrize('value, expected', [
    (12.0, '12.000'), (2512.34, '2512.3'), (123456.7, '123457'), (0.5, '0.500'),
    (-3.25, '-3.250'), (0.01234, '0.01234'), (1.5e-7, '1.5e-07'), (0.0, '0.000'),
    (np.float32(0.25), '0.250'), (np.int64(200), '200'), (7, '7'), (True, 'True'),
    (np.array(3.0), '3.000'), (np.array([1.5, 2.25]), '[1.500, 2.250]'),
    (tf.constant(4), '4'), ('text', 'text'), (float('nan'), 'nan'),
])
def test_format_value(value, expected):
    assert terminal.format_value(value) == expected


def test_terminal_logger_prints_one_readable_line():
    lines = []
    logger = loggers.TerminalLogger(label='environment_loop', print_fn=lines.append)
    logger.write({'steps_per_second': 2512.34, 'episode_length': 200,
                  'episode_return': tf.constant(12.0)})
    assert lines == ['[Environment Loop] Episode Length = 200 | '
                     'Episode Return = 12.000 | Steps Per Second = 2512.3']


def test_terminal_logger_default_prints_to_stdout(capsys):
    logger = loggers.TerminalLogger()
    logger.write({'loss': 0.5})
    assert capsys.readouterr().out == 'Loss = 0.500\n'


def test_terminal_logger_time_delta_keeps_first_write_only():
    lines = []
    logger = loggers.TerminalLogger(time_delta=NEVER, print_fn=lines.append)
    for i in range(3):
        logger.write({'i': i})
    assert lines == ['I = 0']


def test_terminal_logger_custom_serialize_fn():
    lines = []
    logger = loggers.TerminalLogger(label='x', print_fn=lines.append,
                                    serialize_fn=lambda d: str(sorted(d)))
    logger.write({'b': 1, 'a': 2})
    assert lines == ["[X] ['a', 'b']"]


def test_terminal_logger_rejects_negative_time_delta():
    with pytest.raises(ValueError, match='-1'):
        loggers.TerminalLogger(time_delta=-1)


# ---------------------------------------------------------------- CSV


def test_csv_logger_path_and_content(tmp_path):
    logger = loggers.CSVLogger(tmp_path, label='learner')
    assert logger.file_path == os.path.join(
        tmp_path, loggers.get_unique_id(), 'logs', 'learner', 'logs.csv')
    logger.write({'step': 1, 'loss': tf.constant(0.5), 'name': 'a,b'})
    logger.write({'step': 2, 'loss': 0.25, 'name': 'c'})
    logger.close()
    assert _read(logger.file_path) == 'step,loss,name\r\n1,0.5,"a,b"\r\n2,0.25,c\r\n'


def test_csv_logger_adds_new_columns_by_rewriting(tmp_path):
    logger = loggers.CSVLogger(tmp_path, label='l', add_uid=False)
    assert logger.file_path == os.path.join(tmp_path, 'logs', 'l', 'logs.csv')
    logger.write({'a': 1, 'b': 2})
    logger.write({'a': 3, 'c': 4, 'b': 5})
    logger.write({'b': 6})
    logger.write({'d': 7})
    assert logger.fields == ['a', 'b', 'c', 'd']
    logger.close()
    assert _read(logger.file_path) == (
        'a,b,c,d\r\n1,2,,\r\n3,5,4,\r\n,6,,\r\n,,,7\r\n')
    assert not os.path.exists(logger.file_path + '.tmp')


def test_csv_logger_appends_to_existing_file_keeping_its_header(tmp_path):
    first = loggers.CSVLogger(tmp_path, add_uid=False)
    first.write({'x': 1, 'y': 2})
    first.close()
    second = loggers.CSVLogger(tmp_path, add_uid=False)
    assert second.file_path == first.file_path
    second.write({'y': 3, 'x': 4})
    second.write({'z': 5})
    second.close()
    assert _read(first.file_path) == 'x,y,z\r\n1,2,\r\n4,3,\r\n,,5\r\n'


def test_csv_logger_time_delta_keeps_first_write_only(tmp_path):
    logger = loggers.CSVLogger(tmp_path, add_uid=False, time_delta=NEVER)
    for i in range(3):
        logger.write({'i': i})
    logger.close()
    assert _read(logger.file_path) == 'i\r\n0\r\n'


def test_csv_logger_flush_every(tmp_path):
    logger = loggers.CSVLogger(tmp_path, add_uid=False, flush_every=2)
    logger.write({'i': 0})
    assert _read(logger.file_path) == ''
    logger.write({'i': 1})
    assert _read(logger.file_path) == 'i\r\n0\r\n1\r\n'
    logger.close()


def test_csv_logger_writes_to_file_object_and_refuses_new_columns():
    buffer = io.StringIO()
    logger = loggers.CSVLogger(buffer)
    logger.write({'a': 1, 'b': np.array(2.5)})
    with pytest.raises(ValueError, match=r"\['c'\]"):
        logger.write({'a': 2, 'c': 3})
    assert buffer.getvalue() == 'a,b\r\n1,2.5\r\n'
    logger.close()
    assert not buffer.closed


def test_csv_logger_rejects_bad_arguments_and_writes_after_close(tmp_path):
    with pytest.raises(ValueError, match='flush_every.*0'):
        loggers.CSVLogger(tmp_path, flush_every=0)
    logger = loggers.CSVLogger(tmp_path, add_uid=False)
    logger.close()
    with pytest.raises(ValueError, match='closed'):
        logger.write({'a': 1})


def test_csv_logger_keeps_every_row_when_the_process_is_killed(tmp_path):
    script = textwrap.dedent('''
        import os, signal, sys
        from troupe.components import loggers
        logger = loggers.CSVLogger(sys.argv[1], label='actor', add_uid=False)
        logger.write({'step': 1, 'return': 0.5})
        logger.write({'step': 2, 'return': 1.5, 'loss': 3})
        logger.write({'step': 3, 'return': 2.5})
        os.kill(os.getpid(), signal.SIGKILL)
    ''')
    result = subprocess.run([sys.executable, '-c', script, str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == -9, result.stderr
    path = os.path.join(tmp_path, 'logs', 'actor', 'logs.csv')
    assert _read(path) == 'step,return,loss\r\n1,0.5,\r\n2,1.5,3\r\n3,2.5,\r\n'


# ---------------------------------------------------------------- TensorBoard


def _read_scalars(logdir):
    """Returns [(tag, step, value)] of every scalar in logdir's event files."""
    scalars = []
    for name in sorted(os.listdir(logdir)):
        for event in tf.compat.v1.train.summary_iterator(os.path.join(logdir, name)):
            for value in event.summary.value:
                scalars.append((value.tag, event.step,
                                float(tf.make_ndarray(value.tensor))))
    return scalars


def test_tensorboard_logger_writes_scalars_by_write_count(tmp_path):
    logger = loggers.TensorBoardLogger(tmp_path, label='learner')
    logger.write({'loss': 0.5, 'q': tf.constant(2.25)})
    logger.write({'loss': np.array([0.125]), 'note': 'skipped', 'q': 1})
    logger.close()
    assert sorted(_read_scalars(tmp_path)) == [
        ('learner/loss', 0, 0.5), ('learner/loss', 1, 0.125),
        ('learner/q', 0, 2.25), ('learner/q', 1, 1.0)]


def test_tensorboard_logger_uses_steps_key(tmp_path):
    logger = loggers.TensorBoardLogger(tmp_path, steps_key='learner_steps')
    logger.write({'learner_steps': 10, 'loss': 1.5})
    logger.write({'loss': 9.0})  # No step: skipped.
    logger.write({'learner_steps': np.int64(20), 'loss': 0.75})
    logger.close()
    assert _read_scalars(tmp_path) == [('loss', 10, 1.5), ('loss', 20, 0.75)]


# ---------------------------------------------------------------- memory, dispatcher


def test_in_memory_logger_keeps_copies_as_numpy():
    logger = loggers.InMemoryLogger()
    row = {'a': tf.constant(1), 'b': 2.5}
    logger.write(row)
    row['b'] = 99
    logger.write({'a': 3})
    assert logger.data == [{'a': 1, 'b': 2.5}, {'a': 3}]
    assert isinstance(logger.data[0]['a'], np.int32)


def test_dispatcher_serializes_once_and_writes_to_all():
    calls = []

    def serialize(data):
        calls.append(dict(data))
        return {key: value * 2 for key, value in data.items()}

    first, second = loggers.InMemoryLogger(), _ClosingLogger()
    logger = loggers.Dispatcher([first, second], serialize_fn=serialize)
    logger.write({'a': 1})
    logger.write({'a': 2})
    assert calls == [{'a': 1}, {'a': 2}]
    assert first.data == [{'a': 2}, {'a': 4}]
    assert second.writes == [{'a': 2}, {'a': 4}]
    logger.close()
    assert second.closed


def test_dispatcher_rejects_non_loggers():
    with pytest.raises(TypeError, match="'oops'"):
        loggers.Dispatcher([loggers.InMemoryLogger(), 'oops'])


# ---------------------------------------------------------------- filters


def test_time_filter():
    sink = _ClosingLogger()
    logger = loggers.TimeFilter(sink, NEVER)
    for i in range(3):
        logger.write({'i': i})
    assert sink.writes == [{'i': 0}]
    every = loggers.InMemoryLogger()
    unfiltered = loggers.TimeFilter(every, 0.0)
    for i in range(3):
        unfiltered.write({'i': i})
    assert every.data == [{'i': 0}, {'i': 1}, {'i': 2}]
    logger.close()
    assert sink.closed
    with pytest.raises(ValueError, match='-0.5'):
        loggers.TimeFilter(sink, -0.5)


def test_none_filter_drops_none_values():
    sink = loggers.InMemoryLogger()
    loggers.NoneFilter(sink).write({'a': None, 'b': 0, 'c': 'x'})
    assert sink.data == [{'b': 0, 'c': 'x'}]


def test_key_filter_keep_and_drop():
    kept, dropped = loggers.InMemoryLogger(), loggers.InMemoryLogger()
    loggers.KeyFilter(kept, keep=['a', 'missing']).write({'a': 1, 'b': 2, 'c': 3})
    loggers.KeyFilter(dropped, drop=('a',)).write({'a': 1, 'b': 2, 'c': 3})
    assert kept.data == [{'a': 1}]
    assert dropped.data == [{'b': 2, 'c': 3}]


@pytest.mark.parametrize('kwargs', [{}, {'keep': ['a'], 'drop': ['b']}])
def test_key_filter_needs_exactly_one_of_keep_and_drop(kwargs):
    with pytest.raises(ValueError, match='exactly one'):
        loggers.KeyFilter(loggers.InMemoryLogger(), **kwargs)


def test_key_filter_rejects_a_bare_string():
    with pytest.raises(TypeError, match="'loss'"):
        loggers.KeyFilter(loggers.InMemoryLogger(), keep='loss')


# ---------------------------------------------------------------- asynchronous


def test_async_logger_delivers_every_write_in_order_by_close():
    sink = _ClosingLogger()
    logger = loggers.AsyncLogger(sink, max_queue_size=4)
    for i in range(50):
        logger.write({'i': i})
    logger.close()
    assert sink.writes == [{'i': i} for i in range(50)]
    assert sink.closed
    with pytest.raises(ValueError, match='closed'):
        logger.write({'i': 50})


def test_async_logger_flush_and_error_propagation():
    sink = loggers.InMemoryLogger()
    logger = loggers.AsyncLogger(sink)
    logger.write({'a': 1})
    logger.flush()
    assert sink.data == [{'a': 1}]
    logger.close()
    failing = loggers.AsyncLogger(_FailingLogger())
    failing.write({'b': 1})
    with pytest.raises(RuntimeError, match='wrapped logger failed') as info:
        failing.close()
    assert str(info.value.__cause__) == "disk full while writing ['b']"


# ---------------------------------------------------------------- default


@pytest.mark.parametrize('asynchronous', [False, True])
def test_make_default_logger(tmp_path, asynchronous):
    lines = []
    logger = loggers.make_default_logger(
        'actor', time_delta=NEVER, asynchronous=asynchronous,
        print_fn=lines.append, directory=tmp_path)
    logger.write({'steps': 1, 'loss': tf.constant(0.5), 'extra': None})
    logger.write({'steps': 2, 'loss': 0.25, 'extra': None})
    logger.write({'steps': 3, 'loss': 0.125, 'extra': None})
    logger.close()
    assert lines == ['[Actor] Loss = 0.500 | Steps = 1']
    path = os.path.join(tmp_path, loggers.get_unique_id(), 'logs', 'actor', 'logs.csv')
    assert _read(path) == 'steps,loss\r\n1,0.5\r\n2,0.25\r\n3,0.125\r\n'


def test_make_default_logger_without_saving_data(tmp_path):
    lines = []
    logger = loggers.make_default_logger('evaluator', save_data=False,
                                         time_delta=0.0, print_fn=lines.append,
                                         directory=tmp_path)
    logger.write({'episode_return': 1.0})
    logger.write({'episode_return': 2.0})
    logger.close()
    assert lines == ['[Evaluator] Episode Return = 1.000',
                     '[Evaluator] Episode Return = 2.000']
    assert os.listdir(tmp_path) == []


def test_process_path_creates_run_directory(tmp_path, monkeypatch):
    monkeypatch.setenv(loggers.paths.RUN_ID_ENV_VAR, 'run-7')
    path = loggers.process_path(tmp_path, 'logs', 'x')
    assert path == os.path.join(tmp_path, 'run-7', 'logs', 'x')
    assert os.path.isdir(path)
    assert loggers.process_path(tmp_path, 'y', add_uid=False) == os.path.join(
        tmp_path, 'y')
