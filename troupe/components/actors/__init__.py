"""Actors: turn observations into actions and hand what they see to an adder."""

from troupe.components.actors.feed_forward import FeedForwardActor
from troupe.components.actors.random import RandomActor
from troupe.components.actors.recurrent import RecurrentActor
from troupe.components.actors.scheduled import ScheduledActor, scheduled_variable

__all__ = ['FeedForwardActor', 'RandomActor', 'RecurrentActor', 'ScheduledActor',
           'scheduled_variable']
