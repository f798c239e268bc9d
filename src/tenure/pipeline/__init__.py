from tenure.db import AppDatabaseError, UnknownWriteKeyError
from tenure.pipeline.imports import (
    import_into_workspace,
    open_app_db,
    open_warehouse,
    upgrade_app_db,
)
from tenure.pipeline.write_keys import (
    create_workspace_write_key,
    revoke_workspace_write_key,
    workspace_write_keys,
)

__all__ = [
    "AppDatabaseError",
    "UnknownWriteKeyError",
    "create_workspace_write_key",
    "import_into_workspace",
    "open_app_db",
    "open_warehouse",
    "revoke_workspace_write_key",
    "upgrade_app_db",
    "workspace_write_keys",
]
