"""troupe's error type for bad input.

`InvalidInput` is raised for a value a user gave that troupe cannot accept: a
config field out of range or of the wrong type, an unknown agent or
environment name, an agent asked to act in an environment it cannot act in.
It is a `ValueError`, so code that catches ValueError keeps working; the
command line prints it as one line and exits with status 2, while any other
exception (a programming error) keeps its traceback.
"""


class InvalidInput(ValueError):
    """A value given by the user is not acceptable; the message names the value
    and what was expected."""
