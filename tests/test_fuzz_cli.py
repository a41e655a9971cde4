"""Fuzz: every `troupe` command-line flag refuses out-of-range and wrongly typed
values with a usage error (exit status 2), never a traceback or a run.

The command line runs in this process through `troupe.cli.main(argv)`. Every
flag of every command (walked from the parser, so a new flag without a case
here fails `test_every_flag_is_fuzzed`) gets bad values: text that is no
number, numbers out of range, NaN and infinities, unknown names, malformed
KEY=VALUE pairs and hyperparameters or environment arguments out of their
domains. The answer must be exit status 2 with an error line on stderr that
shows the bad value (argparse's usage error, or troupe's one-line `troupe:
error: ...` for bad input), with no traceback. Nothing trains: `troupe train`
stops where the agent would be built (a bad value that got that far is a gap),
`troupe demo` where it would act; `troupe evaluate` and `troupe plot` read a
real run directory made once by `troupe train random`.
"""

import argparse
import contextlib
import io
import math
import os
import shlex

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from troupe import cli
from tests import test_fuzz_common as common
from tests.test_fuzz_configs import DOMAINS as CONFIG_DOMAINS
from tests.test_fuzz_configs import bad_values as bad_config_values
from tests.test_fuzz_environments import DOMAINS as ENV_DOMAINS
from tests.test_fuzz_environments import bad_values as bad_env_values

AREA = 'command-line flags'


class _Reached(Exception):
    """Raised by the stubs where a command would start its real work."""


@pytest.fixture(scope='module', autouse=True)
def _summary(pytestconfig):
    common.register_summary(pytestconfig)


@pytest.fixture(scope='module')
def run_dir(tmp_path_factory):
    """A finished `troupe train random` run (no learner: a second or so)."""
    directory = str(tmp_path_factory.mktemp('fuzz-cli') / 'random-run')
    with contextlib.redirect_stdout(io.StringIO()):
        status = cli.main(['train', 'random', '--env', 'catch', '--steps', '30',
                           '--eval-episodes', '1', '--no-plot', '--logdir', directory])
    assert status == 0
    return directory


@pytest.fixture
def stubs(monkeypatch, tmp_path):
    """Stops `train` (single-process and --distributed) and `demo` where they
    would build an agent or act; runs from an empty directory."""
    from troupe.agents import registry
    import troupe
    import troupe.distributed
    from troupe.cli import demo
    from troupe.components import devices

    def reached(what):
        def stub(*args, **kwargs):
            raise _Reached(what)
        return stub

    monkeypatch.setattr(registry, 'build', reached('an agent was built'))
    monkeypatch.setattr(devices, 'set_cpu_threads', lambda **kwargs: None)
    monkeypatch.setattr(troupe.distributed, 'DistributedProgram',
                        reached('train --distributed started its program'))
    monkeypatch.setattr(troupe, 'EnvironmentLoop', reached('demo acted'))
    monkeypatch.setattr(demo, '_train_dqn', reached('demo trained'))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_cli(argv):
    """(status, stderr, stdout) of `troupe ARGV` run in this process."""
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            status = cli.main(list(argv))
        except SystemExit as exit_:
            status = exit_.code
    return status, err.getvalue(), out.getvalue()


def expect_usage_error(area: str, argv, shown) -> None:
    """`troupe ARGV` exits with status 2 and an error line that shows one of
    `shown` (the bad value as typed, or as troupe converted it)."""
    try:
        status, err, _ = run_cli(argv)
    except _Reached as reached:
        common.TALLY.record(area, 'ACCEPTED (a gap)')
        raise AssertionError(f'troupe {shlex.join(argv)} was accepted: {reached}') from None
    except Exception as error:  # noqa: BLE001 - recorded, then failed.
        common.TALLY.record(area, f'crashed: {type(error).__name__}')
        raise AssertionError(f'troupe {shlex.join(argv)} raised {type(error).__name__}: '
                             f'{error}') from error
    if status != 2:
        common.TALLY.record(area, f'exit status {status} (a gap)')
        raise AssertionError(f'troupe {shlex.join(argv)} exited with {status}, not 2; '
                             f'stderr: {err}')
    assert 'Traceback' not in err, err
    lines = [line for line in err.splitlines() if 'error:' in line]
    assert lines, f'no error line on stderr: {err!r}'
    line = lines[-1]
    texts = [t for t in shown if t]
    texts += [str(float(t)) for t in texts if _parses_as(t, float)]  # 'Infinity': inf
    if not any(text.lower() in line.lower() for text in texts):  # nan, NaN
        common.TALLY.record(area, 'refused, but the message does not show the value')
        raise AssertionError(f'troupe {shlex.join(argv)}: {line!r} shows none of {texts}')
    kind = ('argparse usage error' if 'usage:' in err
            else 'one-line InvalidInput error')
    if kind == 'one-line InvalidInput error':
        assert len(err.strip().splitlines()) == 1, err
    common.TALLY.record(area, f'refused: exit 2, {kind}')


# Bad values as typed on the command line.

def _parses_as(text: str, kind) -> bool:
    try:
        kind(text)
        return True
    except ValueError:
        return False


NOT_NUMBERS = st.one_of(
    st.text('abcxyz!@%', min_size=1, max_size=6),
    st.sampled_from(['1,5', '1e', '0x10', '--', '[]', '1 2', 'None', 'one']),
).filter(lambda t: not _parses_as(t, float) and not t.startswith('-'))
NOT_INTS = st.one_of(NOT_NUMBERS, st.sampled_from(['1.5', '2.0', 'nan', 'inf', '1e3']))


def int_texts(minimum: int, maximum: int = None) -> st.SearchStrategy:
    """Text of integers outside [minimum, maximum], and text that is no int."""
    edges = [minimum - 1, minimum - 2 ** 40]
    parts = [NOT_INTS, st.integers(max_value=minimum - 1).map(str)]
    if maximum is not None:
        edges += [maximum + 1, 2 ** 32, 2 ** 63]
        parts.append(st.integers(min_value=maximum + 1, max_value=2 ** 70).map(str))
    parts.append(st.sampled_from(edges).map(str))  # The boundaries, surely.
    return st.one_of(parts)


def seconds_texts(allow_inf: bool) -> st.SearchStrategy:
    parts = [NOT_NUMBERS, st.sampled_from(['nan', 'NaN', '-inf']),
             st.floats(max_value=0.0, allow_nan=False, allow_infinity=False).map(repr)]
    if not allow_inf:
        parts.append(st.sampled_from(['inf', 'Infinity']))
    return st.one_of(parts)


MAX_SEED = 2 ** 31 - 1
_UNKNOWN_NAMES = st.text('abcdefghijklmnopqrstuvwxyz_0123456789', min_size=1, max_size=8)
_AGENTS = ['dqn', 'sac', 'q_learning', 'reinforce', 'd4pg']


def _value_text(value) -> str:
    """A Python value as `--config KEY=VALUE` would spell it."""
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return 'none'
    if isinstance(value, float) and not math.isfinite(value):
        return {math.inf: 'inf', -math.inf: '-inf'}.get(value, 'nan')
    return repr(value)


@st.composite
def _train_config_case(draw):
    """--config KEY=VALUE with a malformed pair, an unknown key or a bad value."""
    from troupe.agents import registry
    from tests.test_fuzz_configs import _is_optional

    agent = draw(st.sampled_from(_AGENTS))
    entry = registry.get(agent)
    kind = draw(st.sampled_from(['value', 'value', 'unknown key', 'malformed']))
    if kind == 'malformed':
        item = draw(st.one_of(st.text('abc', min_size=1, max_size=4),
                              st.text('abc', max_size=3).map(lambda t: '=' + t)))
        return agent, ['--config', item], [item]
    if kind == 'unknown key':
        key = draw(_UNKNOWN_NAMES.filter(lambda k: k not in entry.parameters
                                         and k != 'seed'))
        return agent, ['--config', f'{key}=1'], [repr(key)]
    field = draw(st.sampled_from(sorted(entry.parameters)))
    value = draw(bad_config_values(CONFIG_DOMAINS[field],
                                   _is_optional(entry.config_class, field)).filter(
        lambda v: not isinstance(v, (bytes, complex, dict))))
    text = _value_text(value)
    from troupe.cli.common import parse_value
    parsed = parse_value(text)
    return agent, ['--config', f'{field}={text}'], [text] + list(common.reprs(parsed))


@st.composite
def _train_env_config_case(draw):
    """--env-config KEY=VALUE with an unknown key or a bad value."""
    from troupe.cli.common import parse_value
    env = draw(st.sampled_from(['catch', 'cartpole', 'pendulum', 'deep_sea',
                                'gridworld/simple']))
    agent = 'sac' if env == 'pendulum' else 'dqn'
    kind = draw(st.sampled_from(['value', 'value', 'value', 'unknown key', 'latency']))
    if kind == 'latency':  # Not the environment's: troupe's LatencyWrapper.
        text = draw(st.sampled_from(['nan', '-1', 'inf', "'x'", '[1]', 'true']))  # none: off
        return agent, env, ['--env-config', f'step_latency_seconds={text}'], [
            text, str(parse_value(text))]
    if kind == 'unknown key':
        key = draw(_UNKNOWN_NAMES.filter(lambda k: k not in ENV_DOMAINS[env]
                                         and k not in ('seed', 'step_latency_seconds')))
        return agent, env, ['--env-config', f'{key}=1'], [key]
    argument = draw(st.sampled_from(sorted(ENV_DOMAINS[env])))
    domain, optional = ENV_DOMAINS[env][argument]
    value = draw(bad_env_values(domain, optional).filter(
        lambda v: not isinstance(v, (bytes, complex, dict))))
    text = _value_text(value)
    parsed = parse_value(text)
    if env.startswith('gridworld/') and argument == 'observation_type' and isinstance(
            parsed, str) and parsed.upper() in ('STATE_INDEX', 'AGENT_ONEHOT', 'GRID',
                                                'AGENT_GOAL_POS'):
        text = parsed = 'PIXELS'  # A valid name in another case; use a bad one.
    return agent, env, ['--env-config', f'{argument}={text}'], [text] + list(
        common.reprs(parsed))


def _train(*extra, agent='dqn', env='catch'):
    return ['train', agent, '--env', env, '--steps', '10'] + list(extra)


# What each flag is fuzzed with: (command, flag) -> strategy of (argv, shown).

def _train_flag(flag, texts, distributed=False):
    extra = ('--distributed',) if distributed else ()
    return texts.map(lambda t: (_train(*extra, f'{flag}={t}'), [t]))


CASES = {
    ('train', 'agent'): _UNKNOWN_NAMES.filter(lambda n: n not in _AGENTS + [
        'nfq', 'a2c', 'impala', 'ddpg', 'td3', 'maddpg', 'sarsa', 'expected_sarsa',
        'monte_carlo', 'q_learning_replay', 'random']).map(
        lambda n: (['train', n, '--env', 'catch'], [repr(n)])),
    ('train', '--env'): st.one_of(
        _UNKNOWN_NAMES.filter(lambda n: n not in ('catch', 'cartpole', 'pendulum',
                                                  'bandit')),
        st.sampled_from(['gym:NoSuchEnvXyz-v0', 'gym:', 'dm_control:cartpole',
                         'bsuite:catch/999', 'gridworld/maze'])).map(
        lambda n: (['train', 'random', '--env', n], [n, repr(n), n.split(':', 1)[-1]])),
    ('train', '--resume'): st.sampled_from(['no-such-dir', 'a-file', 'empty-dir']).map(
        lambda d: (['train', '--resume', d], [repr(d), d])),
    ('train', '--checkpoint-every'): _train_flag('--checkpoint-every',
                                                 seconds_texts(allow_inf=True)),
    ('troupe', '--debug'): st.sampled_from(['1', 'yes']).map(
        lambda t: ([f'--debug={t}', 'list'], [t])),
    ('train', '--steps'): int_texts(1).map(
        lambda t: (['train', 'dqn', '--env', 'catch', f'--steps={t}'], [t])),
    ('train', '--episodes'): int_texts(1).map(
        lambda t: (['train', 'dqn', '--env', 'catch', f'--episodes={t}'], [t])),
    ('train', '--seed'): _train_flag('--seed', int_texts(0, MAX_SEED)),
    ('train', '--num-envs'): _train_flag('--num-envs', int_texts(1)),
    ('train', '--logdir'): st.sampled_from(['a-file']).map(
        lambda d: (_train('--logdir', d), [repr(d)])),
    ('train', '--config'): _train_config_case().map(
        lambda case: (_train(*case[1], agent=case[0],
                             env='pendulum' if case[0] in ('sac', 'd4pg') else
                             'gridworld/simple' if case[0] == 'q_learning' else 'cartpole'),
                      case[2])),
    ('train', '--env-config'): _train_env_config_case().map(
        lambda case: (_train(*case[2], agent=case[0], env=case[1]), case[3])),
    ('train', '--eval-every'): _train_flag('--eval-every', int_texts(0)),
    ('train', '--eval-episodes'): _train_flag('--eval-episodes', int_texts(0)),
    ('train', '--no-plot'): st.sampled_from(['1', 'yes', 'true']).map(
        lambda t: (_train(f'--no-plot={t}'), [t])),
    ('train', '--intra-op-threads'): _train_flag('--intra-op-threads', int_texts(1)),
    ('train', '--distributed'): st.sampled_from(['1', 'yes']).map(
        lambda t: (_train(f'--distributed={t}'), [t])),
    ('train', '--num-actors'): st.one_of(
        _train_flag('--num-actors', int_texts(1), distributed=True),
        st.sampled_from([1, 3, 4]).map(lambda n: (_train(f'--num-actors={n}'),
                                         ['--num-actors']))),
    ('train', '--ray-address'): st.sampled_from(['auto', 'localhost:1', 'x']).map(
        lambda t: (_train(f'--ray-address={t}'), ['--ray-address'])),
    ('train', '--max-seconds'): _train_flag('--max-seconds', seconds_texts(allow_inf=True),
                                            distributed=True),
    ('train', '--actor-exploration'): st.one_of(
        st.lists(st.sampled_from(['nan', '-0.5', '1.5', 'inf']), min_size=2,
                 max_size=2).map(lambda v: (_train('--distributed', '--num-actors', '2',
                                                   '--actor-exploration', *v), v)),
        st.lists(st.sampled_from(['nan', '-1', 'inf']), min_size=2, max_size=2).map(
            lambda v: (_train('--distributed', '--num-actors', '2',
                              '--actor-exploration', *v, agent='td3', env='pendulum'),
                       v)),
        NOT_NUMBERS.map(lambda t: (_train('--distributed', '--num-actors', '1',
                                          '--actor-exploration', t), [t])),
        st.just((_train('--distributed', '--num-actors', '3', '--actor-exploration',
                        '0.1', '0.2'), ['2 given for 3']))),
    ('train', '--variable-cache-seconds'): _train_flag(
        '--variable-cache-seconds', seconds_texts(allow_inf=False), distributed=True),
    ('train', '--actor-resource'): st.sampled_from(['x=-1', '=2', 'x=abc', 'x=0', 'x=nan',
                                                    'x=inf']).map(
        lambda t: (_train('--distributed', f'--actor-resource={t}'), [t])),
    ('train', '--eval-seconds'): _train_flag('--eval-seconds',
                                             seconds_texts(allow_inf=False),
                                             distributed=True),
    ('evaluate', 'logdir'): st.sampled_from(['no-such-dir', 'a-file', 'empty-dir']).map(
        lambda d: (['evaluate', d], [d])),
    ('evaluate', '--episodes'): int_texts(1).map(
        lambda t: (['evaluate', 'RUN', f'--episodes={t}'], [t])),
    ('evaluate', '--seed'): int_texts(0, MAX_SEED).map(
        lambda t: (['evaluate', 'RUN', '--episodes=1', f'--seed={t}'], [t])),
    ('evaluate', '--video'): st.text('abcxyz', min_size=1, max_size=4).map(
        lambda t: (['evaluate', 'RUN', f'--video=out.{t}'], [f'out.{t}'])),
    ('evaluate', '--fps'): seconds_texts(allow_inf=False).map(
        lambda t: (['evaluate', 'RUN', '--episodes=1', '--video=v.npz', f'--fps={t}'], [t])),
    ('plot', 'logdirs'): st.sampled_from(['no-such-dir', 'a-file', 'empty-dir']).map(
        lambda d: (['plot', d, '-o', 'out.png'], [d])),
    ('plot', '--output'): st.text('abcxyz.', min_size=1, max_size=6).filter(
        lambda t: not t.lower().endswith('.png')).map(
        lambda t: (['plot', 'RUN', f'--output={t}'], [t])),
    ('plot', '--window'): int_texts(1).map(
        lambda t: (['plot', 'RUN', '-o', 'out.png', f'--window={t}'], [t])),
    ('list', 'agent'): _UNKNOWN_NAMES.filter(lambda n: n not in _AGENTS + ['random']).map(
        lambda n: (['list', n], [repr(n)])),
    ('demo', '--env'): _UNKNOWN_NAMES.filter(lambda n: n not in ('catch', 'cartpole',
                                                                 'bandit')).map(
        lambda n: (['demo', '--env', n], [repr(n)])),
    ('demo', '--agent'): _UNKNOWN_NAMES.filter(lambda n: n not in ('dqn', 'random')).map(
        lambda n: (['demo', '--agent', n], [repr(n)])),
    ('demo', '--episodes'): int_texts(1).map(lambda t: (['demo', f'--episodes={t}'], [t])),
    ('demo', '--window'): st.one_of(
        int_texts(1).map(lambda t: (['demo', f'--window={t}'], [t])),
        st.integers(11, 100).map(lambda w: (['demo', '--episodes=10', f'--window={w}'],
                                            [str(w)]))),
    ('demo', '--seed'): int_texts(0, MAX_SEED).map(lambda t: (['demo', f'--seed={t}'],
                                                              [t])),
    ('demo', '--logdir'): st.just((['demo', '--logdir', 'a-file'], ['a-file'])),
}
# Flags whose every value is valid: what they are fuzzed with instead.
ANY_VALUE = {('plot', '--title')}


def _all_flags():
    """(command, flag) for every option and positional of every command."""
    flags = set()
    parser = cli.build_parser()
    for action in parser._actions:
        if not isinstance(action, (argparse._SubParsersAction, argparse._HelpAction)):
            flags.add(('troupe', action.option_strings[-1]))
        if isinstance(action, argparse._SubParsersAction):
            for command, sub in action.choices.items():
                for sub_action in sub._actions:
                    if isinstance(sub_action, argparse._HelpAction):
                        continue
                    names = [o for o in sub_action.option_strings if o.startswith('--')]
                    flags.add((command, names[0] if names else sub_action.dest))
    return flags


def test_every_flag_is_fuzzed():
    missing = sorted(_all_flags() - set(CASES) - ANY_VALUE)
    assert not missing, f'give these flags a case in CASES: {missing}'


def _materialise(argv, shown, directory, run_dir):
    """Makes the paths the case names: a file, an empty directory, the run."""
    with open(os.path.join(directory, 'a-file'), 'w') as file:
        file.write('not a run')
    os.makedirs(os.path.join(directory, 'empty-dir'), exist_ok=True)
    argv = [run_dir if a == 'RUN' else a for a in argv]
    return argv, shown


@pytest.mark.timeout(120)
@pytest.mark.parametrize('command, flag', sorted(CASES))
def test_a_bad_flag_value_is_a_usage_error(command, flag, stubs, run_dir):
    many = flag in ('--config', '--env-config')  # Many fields, each with its domain.
    @settings(common.FUZZ, max_examples=40 if many else 10)
    @given(case=CASES[(command, flag)])
    def check(case):
        argv, shown = _materialise(*case, stubs, run_dir)
        expect_usage_error(f'{AREA} ({command})', argv, shown)

    check()
