from tenure.pipeline.imports import import_into_workspace, open_app_db, open_warehouse

__all__ = ["import_into_workspace", "open_app_db", "open_warehouse"]
