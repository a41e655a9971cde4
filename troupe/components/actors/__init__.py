"""Actors: turn observations into actions and hand what they see to an adder."""

from troupe.components.actors.feed_forward import FeedForwardActor
from troupe.components.actors.random import RandomActor
from troupe.components.actors.recurrent import RecurrentActor

__all__ = ['FeedForwardActor', 'RandomActor', 'RecurrentActor']
