from tenure.cli import app

app()
