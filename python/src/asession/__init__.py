"""Run IBM Aspera transfers from Python with asession.

asession turns a transfer spec into an ascp run and reports it as JSON
lines; this package runs it and hands the lines over as dicts:

    import asession

    spec = {"remote_host": "demo.example.com", "remote_user": "aspera",
            "remote_password": "...", "direction": "receive",
            "paths": [{"source": "/aspera-test-dir-tiny/200KB.1"}],
            "destination_root": "/tmp/down"}
    for event in asession.run(spec):
        if event["type"] == "progress":
            print(f"{event['percentage']:.0%}")
    # the last event is the Summary; a failure raises TransferError

:class:`Session` keeps a persistent session open for files added while it
runs, and :mod:`asession.fs` is the fsspec filesystem ``fasp://``. The
platform wheels carry the asession binary; the package itself uses only
the standard library (fsspec only for :mod:`asession.fs`).
"""

from ._errors import (AsessionError, ExecutableNotFound, InputError, SourceNotFound, TransferCancelled,
                      TransferError)
from ._locate import EXECUTABLE_ENV, find_executable
from ._summary import Summary
from ._transfer import Session, Transfer, run

__version__ = "0.0.0+source"

__all__ = ["AsessionError", "EXECUTABLE_ENV", "ExecutableNotFound", "InputError", "Session", "SourceNotFound",
           "Summary", "Transfer", "TransferCancelled", "TransferError", "find_executable", "run", "__version__"]
