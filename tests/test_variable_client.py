"""VariableClient: asynchronous fetches every update_period calls, and clear errors."""

import threading
import time

import numpy as np
import pytest
import tensorflow as tf

from troupe.components.variables import ModuleVariableSource, VariableClient


class GatedSource(ModuleVariableSource):
    """A source whose fetches wait until the test opens the gate."""

    def __init__(self, variables):
        super().__init__(variables)
        self.gate = threading.Event()
        self.fetches = 0

    def get_variables(self, names):
        self.fetches += 1
        self.gate.wait(timeout=10)
        return super().get_variables(names)


def _wait_for(predicate, timeout=5.0):
    deadline = time.time() + timeout
    while not predicate() and time.time() < deadline:
        time.sleep(0.01)
    return predicate()


def test_update_is_asynchronous_and_periodic():
    remote = [tf.Variable([1., 2.]), tf.Variable(3.)]
    local = [tf.Variable([0., 0.]), tf.Variable(0.)]
    source = GatedSource({'policy': remote})
    client = VariableClient(source, {'policy': local}, update_period=3)

    client.update()
    client.update()
    assert source.fetches == 0          # Not yet the third call.
    client.update()                      # Starts a fetch, which blocks at the gate.
    assert _wait_for(lambda: source.fetches == 1)
    client.update()                      # Returns at once: acting never waits.
    np.testing.assert_array_equal(local[0].numpy(), [0., 0.])
    source.gate.set()
    assert _wait_for(lambda: client._future.done())
    client.update()                      # Copies the arrived values in.
    np.testing.assert_array_equal(local[0].numpy(), [1., 2.])
    assert local[1].numpy() == 3.


def test_update_and_wait_copies_now():
    remote = [tf.Variable([5., 6.])]
    local = [tf.Variable([0., 0.])]
    client = VariableClient(ModuleVariableSource({'p': remote}), {'p': local},
                            update_period=100)
    remote[0].assign([7., 8.])
    client.update_and_wait()
    np.testing.assert_array_equal(local[0].numpy(), [7., 8.])
    remote[0].assign([9., 9.])
    client.update(wait=True)
    np.testing.assert_array_equal(local[0].numpy(), [9., 9.])


def test_mismatched_groups_name_the_problem():
    source = ModuleVariableSource({'p': [tf.Variable([1., 2.]), tf.Variable(1.)]})
    client = VariableClient(source, {'p': [tf.Variable([0., 0.])]})
    with pytest.raises(ValueError, match=r"'p': the source returned 2 arrays, expected 1"):
        client.update_and_wait()
    client = VariableClient(source, {'p': [tf.Variable([0., 0., 0.]), tf.Variable(0.)]})
    with pytest.raises(ValueError, match=r'sent shape \(2,\), expected \(3,\)'):
        client.update_and_wait()
    client = VariableClient(source, {'q': [tf.Variable(0.)]})
    with pytest.raises(KeyError, match=r"Unknown variable group\(s\) \['q'\]"):
        client.update_and_wait()
    with pytest.raises(ValueError, match='update_period must be >= 1, got 0'):
        VariableClient(source, {'p': []}, update_period=0)
