"""Intrinsic rewards any agent can use: RND and ICM behind one interface.

`IntrinsicReward` (base) is the interface: `compute(transitions)` gives a
per-example bonus and the model's loss, `update_statistics(transitions)`
advances running statistics. `RND` (Burda et al. 2019) and `ICM` (Pathak et
al. 2017) implement it; `RunningMeanStd`, `ObservationNormalizer` and
`ReturnNormalizer` are the running normalisation they use.
`IntrinsicRewardTrainer` is what a learner calls in its update to turn a
sampled batch into intrinsic rewards and train the model; `make_trainer(kind,
...)` builds one by name for agent configs.
"""

from troupe.components.intrinsic.base import IntrinsicOutput
from troupe.components.intrinsic.base import IntrinsicReward
from troupe.components.intrinsic.factory import KINDS
from troupe.components.intrinsic.factory import check_kind
from troupe.components.intrinsic.factory import make_model
from troupe.components.intrinsic.factory import make_trainer
from troupe.components.intrinsic.icm import ICM
from troupe.components.intrinsic.icm import ICMLosses
from troupe.components.intrinsic.normalization import ObservationNormalizer
from troupe.components.intrinsic.normalization import ReturnNormalizer
from troupe.components.intrinsic.normalization import RunningMeanStd
from troupe.components.intrinsic.rnd import RND
from troupe.components.intrinsic.trainer import IntrinsicRewardTrainer

__all__ = ['ICM', 'ICMLosses', 'IntrinsicOutput', 'IntrinsicReward',
           'IntrinsicRewardTrainer', 'KINDS', 'ObservationNormalizer', 'RND',
           'ReturnNormalizer', 'RunningMeanStd', 'check_kind', 'make_model',
           'make_trainer']
