"""The web app and REST API (FastAPI, Jinja2): reads the app database, never the warehouse.

The app is built by `tenure.web.app.create_app(settings)`; it is not imported
here, so the command line loads the web stack only when it serves.
"""
