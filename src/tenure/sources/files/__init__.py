from tenure.sources.files.load import import_file
from tenure.sources.files.read import ImportFileError
from tenure.sources.files.report import ImportReport, Rejection

__all__ = ["ImportFileError", "ImportReport", "Rejection", "import_file"]
