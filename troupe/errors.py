"""troupe's error types: bad input, and non-finite learner updates.

`InvalidInput` is raised for a value a user gave that troupe cannot accept: a
config field out of range or of the wrong type, an unknown agent or
environment name, an agent asked to act in an environment it cannot act in.
It is a `ValueError`, so code that catches ValueError keeps working; the
command line prints it as one line and exits with status 2, while any other
exception (a programming error) keeps its traceback.

`NonFiniteLossError` is raised by a learner whose update produced a NaN or Inf
loss or gradient, before anything is logged or checkpointed after it, so the
last checkpoint is the last good one.
"""


class InvalidInput(ValueError):
    """A value given by the user is not acceptable; the message names the value
    and what was expected."""


class NonFiniteLossError(FloatingPointError):
    """A learner update produced a NaN or Inf loss (or another fetch), or a
    gradient that made the learner's variables non-finite.

    Raised by `LearnerBase.step` with `on_non_finite='raise'` (the default).
    The update is not counted, logged or checkpointed, so the last checkpoint
    holds the state after the last finite update (the learner's variables in
    memory are as the bad update left them: the run stops). A
    `FloatingPointError`, not an `InvalidInput`: the cause is usually in the
    data (a NaN reward in replay) or the hyperparameters (a learning rate that
    diverges), not in one value the user typed.

    Attributes:
      learner: the learner's label (e.g. 'DQNLearner').
      step: the learner step (1-based update number) that failed.
      name: the first non-finite fetch (e.g. 'critic_loss'), or the first
        variable made non-finite when every fetch was finite.
      value: that fetch's value (a float, or an array), None for a variable.
      non_finite: every non-finite fetch and variable, by name.
    """

    def __init__(self, message: str, *, learner: str, step: int, name: str,
                 value=None, non_finite=()):
        super().__init__(message)
        self.learner = learner
        self.step = step
        self.name = name
        self.value = value
        self.non_finite = tuple(non_finite)
