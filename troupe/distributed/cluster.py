"""Starting or joining the Ray cluster a distributed program runs on.

`connect()` joins the cluster at `address`, or starts a local one. A local
cluster is bound to loopback (127.0.0.1) and, unless told otherwise, keeps its
session files in a temporary folder rather than under /tmp/ray shared with
other users' sessions.
"""

import os
import tempfile
from typing import Any, Dict, Optional

# Without this, Ray on Linux may rewrite 127.0.0.1 to the machine's external
# address; it must be set before Ray starts.
os.environ.setdefault('RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER', '0')

import ray  # noqa: E402

LOOPBACK = '127.0.0.1'


def connect(address: Optional[str] = None, num_cpus: Optional[int] = None,
            temp_dir: Optional[str] = None, log_to_driver: bool = True) -> bool:
    """Joins the Ray cluster at `address`, or starts a local one.

    Args:
      address: 'HOST:PORT' of a running cluster's head (as `ray start --head`
        prints), or 'auto' for the one on this machine; None starts a local
        cluster for this process.
      num_cpus: CPUs of a local cluster (default: all of this machine's).
      temp_dir: session folder of a local cluster (default: a new temporary one).
      log_to_driver: whether node output is echoed to this process.

    Returns:
      True if this call started Ray (the caller should `ray.shutdown()`), False
      if Ray was already initialised in this process.
    """
    if ray.is_initialized():
        return False
    if address is not None:
        ray.init(address=address, log_to_driver=log_to_driver)
        return True
    ray.init(num_cpus=num_cpus, include_dashboard=False,
             _node_ip_address=LOOPBACK,
             _temp_dir=temp_dir or tempfile.mkdtemp(prefix='troupe-ray-'),
             log_to_driver=log_to_driver)
    return True


def total_resources() -> Dict[str, float]:
    """The cluster's total resources ('CPU', 'GPU', ...)."""
    return dict(ray.cluster_resources())


def cpu_share(num_workers: int, resources: Optional[Dict[str, Any]] = None) -> float:
    """CPUs to ask for per worker node (learner, actors, evaluator) so that all
    `num_workers` fit at once: 1 when the cluster has enough, a fraction on a
    small machine (Ray's CPU counts are for scheduling; they do not limit a
    process)."""
    resources = total_resources() if resources is None else resources
    cpus = float(resources.get('CPU', 1.0))
    return max(0.01, min(1.0, cpus / max(num_workers, 1)))


def hide_gpus() -> None:
    """Keeps TensorFlow in this process off every GPU (actors and evaluators
    never allocate GPU memory). Call before TensorFlow runs its first op."""
    os.environ['CUDA_VISIBLE_DEVICES'] = ''
    import tensorflow as tf
    try:
        tf.config.set_visible_devices([], 'GPU')
    except RuntimeError:  # Devices already initialised; none were GPUs if
        pass              # CUDA_VISIBLE_DEVICES was empty from the start.


def node_address() -> str:
    """This node's IP address as the cluster knows it (127.0.0.1 for a local
    cluster started by `connect`), for servers other nodes must reach."""
    node_id = ray.get_runtime_context().get_node_id()
    for node in ray.nodes():
        if node.get('NodeID') == node_id:
            return node['NodeManagerAddress']
    return ray.util.get_node_ip_address()
