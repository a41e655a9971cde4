"""What a distributed program started again on its logdir picks up besides the
nodes' own checkpoints (counter, learner, replay): the previous launches'
`results.json`, and the CSV logs cut back to the counts the counter restored.

The counter, the learner and the replay checkpoint on their own, so after the
driver is killed they come back from slightly different moments. The counter's
counts are the run's axis: the rows logged after its checkpoint carry steps the
resumed run takes again, so they are dropped (and their number reported), as
`troupe train --resume` does for a one-process run.
"""

import csv
import json
import os
from typing import Any, Dict, List, Mapping, Optional

RESULTS_FILE = 'results.json'

# The count each label's rows are cut back by (other labels are kept whole:
# e.g. 'replay', the replay node's restarts, which did happen).
CUT_KEYS = {'learner': 'learner_steps', 'evaluator': 'actor_steps'}
ACTOR_CUT_KEY = 'actor_steps'  # For every 'actor_<i>'.


def previous_results(logdir: str) -> Dict[str, Any]:
    """The results.json of the program's previous launch on `logdir` (written
    while it ran and when it stopped), or {} if there is none."""
    path = os.path.join(logdir, RESULTS_FILE)
    if not os.path.exists(path):
        return {}
    try:
        with open(path, encoding='utf-8') as file:
            results = json.load(file)
    except (OSError, ValueError):
        return {}  # Written atomically, so only a hand-edited one is unreadable.
    return results if isinstance(results, dict) else {}


def cut_key(label: str) -> Optional[str]:
    """The count `label`'s rows are cut back by, or None to keep them all."""
    if label.startswith('actor_'):
        return ACTOR_CUT_KEY
    return CUT_KEYS.get(label)


def cut_logs(logdir: str, counts: Mapping[str, Any]) -> Dict[str, int]:
    """Drops the rows of `<logdir>/logs/<label>/logs.csv` whose count (`cut_key`)
    is above `counts` (what the counter restored; a missing count is 0);
    returns the rows dropped per label (only labels that lost some)."""
    dropped = {}
    for label in labels(logdir):
        key = cut_key(label)
        if key is None:
            continue
        limit = float(counts.get(key, 0))
        path = csv_path(logdir, label)
        with open(path, newline='', encoding='utf-8') as file:
            lines = list(csv.reader(file))
        if not lines:
            continue
        header, rows = lines[0], lines[1:]
        if key not in header:
            continue
        column = header.index(key)
        kept = [row for row in rows if not _above(row, column, limit)]
        if len(kept) == len(rows):
            continue
        temporary = f'{path}.tmp'
        with open(temporary, 'w', newline='', encoding='utf-8') as file:
            csv.writer(file).writerows([header] + kept)
        os.replace(temporary, path)
        dropped[label] = len(rows) - len(kept)
    return dropped


def read_rows(logdir: str, label: str, limit: int) -> List[Dict[str, Any]]:
    """The last `limit` rows of a label's CSV log, with numbers parsed (empty
    cells left out), as the log node keeps them in memory."""
    path = csv_path(logdir, label)
    if not os.path.exists(path):
        return []
    with open(path, newline='', encoding='utf-8') as file:
        rows = list(csv.DictReader(file))[-limit:]
    return [{key: _parse(value) for key, value in row.items() if value not in ('', None)}
            for row in rows]


def labels(logdir: str) -> List[str]:
    """The labels with a CSV log under `<logdir>/logs`."""
    root = os.path.join(logdir, 'logs')
    if not os.path.isdir(root):
        return []
    return sorted(name for name in os.listdir(root)
                  if os.path.isfile(csv_path(logdir, name)))


def csv_path(logdir: str, label: str) -> str:
    return os.path.join(logdir, 'logs', label, 'logs.csv')


def _above(row: List[str], column: int, limit: float) -> bool:
    try:
        return float(row[column]) > limit
    except (IndexError, ValueError):
        return False  # No count in this row: kept.


def _parse(text: str):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text
