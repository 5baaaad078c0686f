"""Intercoder agreement: the statistics (kappa, alpha, AC1, ...) as pure functions.

Every coefficient returns a result that is either defined or undefined *with a reason*
(:class:`Estimate`, :class:`KappaResult`); see ``docs/agreement.md`` for the formulas.
"""

from qualcode.agreement.stats import *  # noqa: F403 (the public API is stats.__all__)
from qualcode.agreement.stats import __all__  # noqa: F401
