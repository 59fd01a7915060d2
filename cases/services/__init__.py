"""Every write, one module per area; import services from here (`from cases import services`).

A service validates, changes models inside a transaction, records a CaseEvent, recomputes the
case's clocks, and enqueues follow-up work only after commit.
"""

from cases.services.accounts import *  # noqa: F403
from cases.services.accounts import __all__ as _account_services
from cases.services.api import *  # noqa: F403
from cases.services.api import __all__ as _api_services
from cases.services.cases import *  # noqa: F403
from cases.services.cases import __all__ as _case_services
from cases.services.events import *  # noqa: F403
from cases.services.events import __all__ as _event_services
from cases.services.evidence import *  # noqa: F403
from cases.services.evidence import __all__ as _evidence_services
from cases.services.exports import *  # noqa: F403
from cases.services.exports import __all__ as _export_services
from cases.services.follow_ups import *  # noqa: F403
from cases.services.follow_ups import __all__ as _follow_up_services
from cases.services.letters import *  # noqa: F403
from cases.services.letters import __all__ as _letter_services
from cases.services.login_links import *  # noqa: F403
from cases.services.login_links import __all__ as _login_link_services
from cases.services.roles import *  # noqa: F403
from cases.services.roles import __all__ as _role_services
from cases.services.statistics import *  # noqa: F403
from cases.services.statistics import __all__ as _statistics_services
from cases.services.webhooks import *  # noqa: F403
from cases.services.webhooks import __all__ as _webhook_services
from cases.services.workspace import *  # noqa: F403
from cases.services.workspace import __all__ as _workspace_services

__all__ = [
    *_login_link_services,
    *_case_services,
    *_event_services,
    *_account_services,
    *_evidence_services,
    *_export_services,
    *_letter_services,
    *_follow_up_services,
    *_workspace_services,
    *_role_services,
    *_api_services,
    *_webhook_services,
    *_statistics_services,
]
