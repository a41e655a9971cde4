"""What the fuzz tests (tests/test_fuzz_*.py) share: hypothesis settings, the
strategies of bad values, the checks of an error's message, and the tally of
inputs tried.

Every fuzz test records each input it tried and what happened to it in `TALLY`
(area -> outcome -> count). At the end of the session the counts are printed
under "fuzz: inputs tried and their outcomes" (run with `-n 0`: with xdist the
workers' counts stay in the workers), and written as JSON to the file named by
the environment variable TROUPE_FUZZ_SUMMARY when it is set.

This module holds no tests; its name only keeps it among the fuzz files.
"""

import collections
import json
import math
import os
import threading
from typing import Any, Iterable

import pytest
import tempfile
from hypothesis import HealthCheck, configuration, settings
from hypothesis import strategies as st

# Hypothesis keeps caches in ./.hypothesis by default: keep the working tree clean.
if not os.environ.get('HYPOTHESIS_STORAGE_DIRECTORY'):
    configuration.set_hypothesis_home_dir(
        os.path.join(tempfile.gettempdir(), 'troupe-fuzz-hypothesis'))

# Modest and reproducible: the same inputs on every run (derandomize), no
# example database written into the working tree, no per-example deadline (the
# first example of a test may import or trace something).
FUZZ = settings(max_examples=40, deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow,
                                       HealthCheck.function_scoped_fixture])


class Tally:
    """Counts of inputs tried, by area and outcome."""

    def __init__(self):
        self._lock = threading.Lock()
        self.counts = collections.defaultdict(collections.Counter)

    def record(self, area: str, outcome: str) -> None:
        with self._lock:
            self.counts[area][outcome] += 1

    def total(self) -> int:
        return sum(sum(c.values()) for c in self.counts.values())

    def lines(self):
        yield f'{self.total():,} inputs tried'
        for area in sorted(self.counts):
            counts = self.counts[area]
            yield f'{area}: {sum(counts.values()):,}'
            for outcome, n in counts.most_common():
                yield f'    {n:6,}  {outcome}'

    def to_json(self):
        return {area: dict(counts) for area, counts in sorted(self.counts.items())}


TALLY = Tally()


class _SummaryPlugin:
    """Prints the tally at the end of the session (registered on first use)."""

    def pytest_terminal_summary(self, terminalreporter):
        if not TALLY.total():
            return
        terminalreporter.section('fuzz: inputs tried and their outcomes')
        for line in TALLY.lines():
            terminalreporter.write_line(line)
        path = os.environ.get('TROUPE_FUZZ_SUMMARY')
        if path:
            with open(path, 'w', encoding='utf-8') as file:
                json.dump(TALLY.to_json(), file, indent=2, sort_keys=True)


def register_summary(config: pytest.Config) -> None:
    """Adds the end-of-session summary once (call from a fixture)."""
    if not config.pluginmanager.has_plugin('troupe-fuzz-summary'):
        config.pluginmanager.register(_SummaryPlugin(), 'troupe-fuzz-summary')


# Strategies of bad values.

def _not_integral(x: float) -> bool:
    return not (math.isfinite(x) and float(x).is_integer())


NON_FINITE = st.sampled_from([math.nan, math.inf, -math.inf])
# Values that are no number at all (None is added where a field is not Optional).
NOT_A_NUMBER = st.one_of(
    st.text(max_size=4), st.booleans(), st.binary(max_size=2),
    st.lists(st.integers(-3, 3), max_size=2), st.dictionaries(
        st.text(max_size=2), st.integers(0, 3), max_size=1),
    st.complex_numbers(max_magnitude=10, allow_nan=False).filter(lambda c: c.imag != 0))
NON_INTEGRAL = st.one_of(NON_FINITE, st.floats(-1e6, 1e6).filter(_not_integral))
# Beyond int64, which TensorFlow, numpy and Reverb count in.
HUGE_INT = st.integers(min_value=2 ** 63, max_value=2 ** 80)


def ints_below(minimum: int) -> st.SearchStrategy:
    """Integers < minimum, and the wrong kinds of value for an integer."""
    return st.one_of(st.integers(max_value=minimum - 1), HUGE_INT, NON_INTEGRAL,
                     NOT_A_NUMBER)


def numbers_outside(low: float, high: float, low_open: bool = False,
                    high_open: bool = False) -> st.SearchStrategy:
    """Real numbers outside [low, high] (or the open ends), non-finite ones, and
    values that are no number."""
    parts = [NON_FINITE, NOT_A_NUMBER]
    if math.isfinite(low):
        parts.append(st.floats(max_value=low, exclude_max=not low_open,
                               allow_nan=False, allow_infinity=False))
        parts.append(st.integers(max_value=math.floor(low) - (0 if low_open else 1))
                     .filter(lambda x: x < low or (low_open and x == low)))
    if math.isfinite(high):
        parts.append(st.floats(min_value=high, exclude_min=not high_open,
                               allow_nan=False, allow_infinity=False))
        parts.append(st.integers(min_value=math.floor(high) + 1))
    return st.one_of(parts)


# Checks of an error.

def reprs(value: Any) -> Iterable[str]:
    """The ways a message may show `value` (as given or as converted)."""
    yield repr(value)
    yield str(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            yield repr(float(value))
        except OverflowError:
            pass
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            yield repr(int(value))
    if isinstance(value, (list, tuple)):
        yield repr(list(value))
        yield repr(tuple(value))
        for item in value:
            yield from reprs(item)
    if isinstance(value, dict):
        for item in value.values():
            yield from reprs(item)


def names_value(message: str, value: Any) -> bool:
    return any(text and text in message for text in reprs(value))


def says_what_was_expected(message: str) -> bool:
    lowered = message.lower()
    return any(word in lowered for word in ('must', 'expected', 'expects', 'one of'))


def assert_clear(error: BaseException, name: str, value: Any) -> None:
    """`error` names `name` and the bad `value`, and says what was expected."""
    message = str(error)
    assert name in message, f'{type(error).__name__} does not name {name!r}: {message}'
    assert names_value(message, value), (
        f'{type(error).__name__} does not show the value {value!r}: {message}')
    assert says_what_was_expected(message), (
        f'{type(error).__name__} does not say what was expected: {message}')
