"""Where a run writes its outputs (logs, checkpoints, snapshots).

Every output of one run goes under `<root>/<run id>/<kind>/...`, so that runs
never overwrite each other and the files of one run sit together.
"""

import datetime
import os
import threading
from typing import Optional

# Setting this variable makes every process of a distributed run share one id.
RUN_ID_ENV_VAR = 'TROUPE_RUN_ID'

_run_id: Optional[str] = None
_run_id_lock = threading.Lock()


def get_unique_id() -> str:
    """Returns this run's id: `$TROUPE_RUN_ID`, else the process start-up time.

    The id is chosen once per process, so the logs and checkpoints of one
    process land in the same run directory.
    """
    global _run_id
    from_env = os.environ.get(RUN_ID_ENV_VAR)
    if from_env:
        return from_env
    with _run_id_lock:
        if _run_id is None:
            _run_id = datetime.datetime.now().strftime('%Y%m%d-%H%M%S')
        return _run_id


def process_path(path: str, *subpaths: str, add_uid: bool = True) -> str:
    """Returns `path[/<run id>]/<subpaths...>` with `~` expanded, creating it.

    Args:
      path: the root directory (e.g. '~/troupe').
      *subpaths: the directories below the run directory (e.g. 'logs', label).
      add_uid: whether to insert the run id after `path`.

    Returns:
      The absolute directory path, which exists on return.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f'path must be a str or os.PathLike, got {path!r}.')
    parts = [os.fspath(path)]
    if add_uid:
        parts.append(get_unique_id())
    parts.extend(s for s in subpaths if s)
    directory = os.path.abspath(os.path.expanduser(os.path.join(*parts)))
    os.makedirs(directory, exist_ok=True)
    return directory
