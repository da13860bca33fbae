"""Imported once by the fork server report workers are forked from (see `execute.worker_context`):
Papermill and nbconvert, the way `execute.lean_imports` imports them, so no worker pays for them."""

from .execute import lean_imports

lean_imports()
