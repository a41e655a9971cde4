"""Helpers for the command-line tests: train into a run directory and read its
files back."""

import csv
import glob
import os

import tensorflow as tf

from troupe import cli


def train(tmp_path, capsys, *argv, name='run'):
    """`troupe train *argv --logdir tmp_path/name`; asserts exit status 0 and
    returns (run directory, what it printed)."""
    logdir = str(tmp_path / name)
    assert cli.main(['train', *argv, '--logdir', logdir]) == 0
    return logdir, capsys.readouterr().out


def read_csv(path):
    """The rows of a CSV log as dicts."""
    with open(path, newline='') as file:
        return list(csv.DictReader(file))


def tensorboard_tags(directory):
    """Every summary tag written to the event files in `directory`."""
    tags = set()
    for path in glob.glob(os.path.join(directory, 'events.out.tfevents.*')):
        for event in tf.compat.v1.train.summary_iterator(path):
            tags.update(value.tag for value in event.summary.value)
    return tags
