"""Test-session set-up shared by every test module.

The CPU is split into two logical devices before TensorFlow initialises, so that
placement tests can ask a learner for '/CPU:1' and check where its variables and
ops really went.
"""

import os

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')

import pytest  # noqa: E402
import reverb  # noqa: E402
import tensorflow as tf  # noqa: E402

_cpus = tf.config.list_physical_devices('CPU')
tf.config.set_logical_device_configuration(
    _cpus[0], [tf.config.LogicalDeviceConfiguration()] * 2)


@pytest.fixture
def reverb_server_factory():
    """Starts real Reverb servers on localhost; stops them after the test."""
    servers = []

    def make(tables):
        server = reverb.Server(tables, port=None)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.hookimpl(tryfirst=True)  # Before xdist reads the groups.
def pytest_collection_modifyitems(items):
    """Keeps the tests that start Ray clusters in one xdist group, so that one
    worker runs them in turn: two local clusters would compete for the CPUs, and
    the two-node test's `ray stop --force` would end the other's."""
    distributed = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                               'distributed', '')
    for item in items:
        if str(item.path).startswith(distributed):
            item.add_marker(pytest.mark.xdist_group('ray'))
