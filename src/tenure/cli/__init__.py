from tenure.cli.app import app

__all__ = ["app"]
