"""Every non-trivial read, one module per area; import selectors from here
(`from cases import selectors`).

Modules import each other one way: `access` (who may see what) at the bottom, then `directory`,
`cases`, `workspace`, `statistics`, `audit` and `api` on top of it. Pages and the API get cases
only through `access.cases_visible_to` and `access.principal_cases`.
"""

from cases.selectors.access import *  # noqa: F403
from cases.selectors.access import __all__ as _access
from cases.selectors.api import *  # noqa: F403
from cases.selectors.api import __all__ as _api
from cases.selectors.audit import *  # noqa: F403
from cases.selectors.audit import __all__ as _audit
from cases.selectors.cases import *  # noqa: F403
from cases.selectors.cases import __all__ as _cases
from cases.selectors.directory import *  # noqa: F403
from cases.selectors.directory import __all__ as _directory
from cases.selectors.exports import *  # noqa: F403
from cases.selectors.exports import __all__ as _exports
from cases.selectors.statistics import *  # noqa: F403
from cases.selectors.statistics import __all__ as _statistics
from cases.selectors.workspace import *  # noqa: F403
from cases.selectors.workspace import __all__ as _workspace

__all__ = [*_access, *_directory, *_exports, *_cases, *_workspace, *_statistics, *_audit, *_api]
