from tenure.db import AppDatabaseError
from tenure.pipeline.imports import (
    import_into_workspace,
    open_app_db,
    open_warehouse,
    upgrade_app_db,
)

__all__ = [
    "AppDatabaseError",
    "import_into_workspace",
    "open_app_db",
    "open_warehouse",
    "upgrade_app_db",
]
