"""Every write, one module per area; import services from here (`from cases import services`).

A service validates, changes models inside a transaction, records a CaseEvent, recomputes the
case's clocks, and enqueues follow-up work only after commit.
"""

from cases.services.cases import *  # noqa: F403
from cases.services.cases import __all__ as _case_services

__all__ = [*_case_services]
