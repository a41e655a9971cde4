"""A real Ray cluster on this machine for the distributed tests.

It is bound to loopback and kept out of the user's home: Ray writes an auth
token into $HOME/.ray, so HOME points at a temporary folder while it runs, and
its session files go to another temporary folder. The HOME folder is the same
for every module's cluster: once a cluster has used token authentication, Ray
keeps it on in the process, so each later cluster must find the first one's
token there.
"""

import os

import pytest

from troupe.distributed import cluster


@pytest.fixture(scope='session')
def ray_home(tmp_path_factory):
    """HOME for every in-process Ray cluster of the session (see above)."""
    return str(tmp_path_factory.mktemp('ray-home'))


@pytest.fixture(scope='module')
def ray_cluster(ray_home):
    import ray
    home = os.environ.get('HOME')
    os.environ['HOME'] = ray_home
    try:
        # A short session folder: Ray's socket paths must stay under 108 bytes.
        cluster.connect(num_cpus=2, log_to_driver=False)
        yield ray
    finally:
        ray.shutdown()
        if home is None:
            os.environ.pop('HOME', None)
        else:
            os.environ['HOME'] = home
