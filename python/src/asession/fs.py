"""fsspec filesystem ``fasp://``: get and put through ascp, driven by asession.

Registered through the ``fsspec.specs`` entry point, so that
``fsspec.filesystem("fasp", host=..., username=..., password=...)`` and
URLs such as ``fasp://user@host:33001/path`` find it once this package is
installed. Needs fsspec; the rest of the package does not.

ascp transfers files between disk and disk and answers no question about
the remote side: there is no listing, no stat, no open file. So ``get`` and
``put`` (and ``get_file``/``put_file``) are the operations; ``ls``,
``info``, ``exists`` and the others that would need to look at the server
raise NotImplementedError saying so.
"""

from __future__ import annotations

import glob
import os
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union
from urllib.parse import unquote, urlsplit

from fsspec.callbacks import NoOpCallback
from fsspec.spec import AbstractFileSystem

from ._summary import Summary
from ._transfer import run

#: Environment variables read when neither the URL nor the options say.
ENVIRONMENT = {"host": "FASP_HOST", "port": "FASP_PORT", "username": "FASP_USERNAME",
               "password": "FASP_PASSWORD", "token": "FASP_TOKEN"}

# Storage options every fsspec filesystem may be given; they are fsspec's,
# not transfer-spec fields.
_FSSPEC_OPTIONS = {"skip_instance_cache", "use_listings_cache", "listings_expiry_time",
                   "max_paths", "asynchronous", "loop", "add_docs"}

_NO_REMOTE_VIEW = ("fasp:// cannot {what}: ascp only transfers files between disks and has no "
                   "operation that lists, inspects or changes remote paths. Use get/put, and "
                   "the server's Node API or an sftp filesystem to look at the remote side.")

PathArg = Union[str, "os.PathLike[str]", Sequence[Union[str, "os.PathLike[str]"]]]


def _no_remote_view(what: str) -> NotImplementedError:
    return NotImplementedError(_NO_REMOTE_VIEW.format(what=what))


def _whole_folders(maxdepth: Optional[int]) -> None:
    if maxdepth is not None:
        raise NotImplementedError("fasp:// cannot limit the depth of a copy: ascp sends a folder whole")


class FaspFileSystem(AbstractFileSystem):
    """Files on an Aspera server, moved by ascp through asession.

    Storage options are named as fsspec's ``sftp`` filesystem names them:
    host, port (the SSH port, ``ssh_port``), username, password, plus
    token; spec holds a base transfer spec, and any other keyword is a
    transfer-spec field (target_rate_kbps=100000, resume_policy="sparse_csum",
    cookie=..., ssh_private_key_path=...). asession refuses an unknown field
    (it runs with ``--strict``), naming it. A URL's user, password, host and
    port count as the options of the same name; where neither says,
    $FASP_HOST, $FASP_PORT, $FASP_USERNAME, $FASP_PASSWORD and $FASP_TOKEN
    are read (and ascp itself reads $ASPERA_SCP_PASS and $ASPERA_SCP_TOKEN).

    asession_options are passed to :func:`asession.run` for every transfer
    (executable, env, retries, ascp, stall_timeout...).

    ``create_dir`` defaults to true, so that a missing destination folder
    is made, as fsspec's copies do.
    """

    protocol = ("fasp",)
    root_marker = "/"

    def __init__(self, host: Optional[str] = None, port: Optional[int] = None,
                 username: Optional[str] = None, password: Optional[str] = None,
                 token: Optional[str] = None, *, spec: Optional[Mapping[str, Any]] = None,
                 asession_options: Optional[Mapping[str, Any]] = None, **fields: Any) -> None:
        fsspec_options = {k: fields.pop(k) for k in list(fields) if k in _FSSPEC_OPTIONS}
        super().__init__(**fsspec_options)
        named = {"host": host, "port": port, "username": username, "password": password, "token": token}
        for key, variable in ENVIRONMENT.items():
            if named[key] is None and os.environ.get(variable):
                named[key] = os.environ[variable]
        base: Dict[str, Any] = {"create_dir": True}
        base.update(spec or {})
        for key, field in (("host", "remote_host"), ("username", "remote_user"),
                           ("password", "remote_password"), ("token", "token")):
            if named[key] is not None:
                base[field] = named[key]
        if named["port"] is not None:
            base["ssh_port"] = int(named["port"])
        base.update(fields)
        self._base_spec = base
        self._asession_options = dict(asession_options or {})

    # -- paths -------------------------------------------------------------

    @classmethod
    def _strip_protocol(cls, path: Any) -> Any:
        if isinstance(path, list):
            return [cls._strip_protocol(p) for p in path]
        path = os.fspath(path)
        if path.startswith("fasp://"):
            path = urlsplit(path).path or "/"
        stripped = path.rstrip("/")
        return stripped or cls.root_marker

    @staticmethod
    def _get_kwargs_from_urls(path: str) -> Dict[str, Any]:
        parts = urlsplit(path)
        out: Dict[str, Any] = {}
        if parts.hostname:
            out["host"] = parts.hostname
        if parts.port:
            out["port"] = parts.port
        if parts.username:
            out["username"] = unquote(parts.username)
        if parts.password:
            out["password"] = unquote(parts.password)
        return out

    @staticmethod
    def _remote(path: Any) -> Tuple[str, bool]:
        """A remote path without protocol and host, and whether it ended with /."""
        text = os.fspath(path)
        if text.startswith("fasp://"):
            text = urlsplit(text).path or "/"
        return (text.rstrip("/") or "/"), text.endswith("/")

    @staticmethod
    def _local(path: Any) -> Tuple[str, bool]:
        """An absolute local path, and whether it ended with a separator."""
        text = os.fspath(path)
        if text.startswith("file://"):
            text = text[len("file://"):]
        trailing = text.endswith("/") or text.endswith(os.sep)
        return os.path.abspath(text), trailing

    # -- transfers -----------------------------------------------------------

    def _transfer(self, direction: str, paths: List[Dict[str, str]], destination_root: Optional[str],
                  callback: Any, fields: Mapping[str, Any]) -> Summary:
        """One transfer; destination_root None when every path names its
        destination (ascp's file pairs)."""
        spec = dict(self._base_spec)
        spec.update(fields)
        spec.update({"direction": direction, "paths": paths})
        if destination_root is not None:
            spec["destination_root"] = destination_root
        callback = callback if callback is not None else NoOpCallback()
        options = dict(self._asession_options)
        options.setdefault("strict", True)
        job = run(spec, **options)
        with job:
            for event in job:
                if event.get("type") != "progress":
                    continue
                expected, written = event.get("bytes_expected"), event.get("bytes_written")
                if isinstance(expected, int) and expected > 0 and expected != callback.size:
                    callback.set_size(expected)
                if isinstance(written, int):
                    callback.absolute_update(written)
        assert job.summary is not None  # a job that ran writes one, or raised
        return job.summary

    def get(self, rpath: PathArg, lpath: PathArg, recursive: bool = False,
            callback: Any = None, maxdepth: Optional[int] = None, **fields: Any) -> Summary:  # type: ignore[override]
        """Download rpath (a path or a list) to lpath in one transfer.

        As fsspec copies: into lpath when it ends with a separator or is an
        existing folder, else as lpath (a file renamed, a folder copied as
        lpath); an rpath ending with / puts the folder's contents in lpath;
        a list of rpaths goes into the folder lpath, or pairwise to a list
        of lpaths. ascp copies a remote folder whole; as it cannot tell a
        folder from a file beforehand, recursive is not needed for get.
        callback (an fsspec Callback) is given bytes: set_size with the
        job's total, absolute_update with the bytes written so far. fields
        are transfer-spec fields for this transfer only. Returns the
        summary; raises :class:`asession.TransferError` (a
        FileNotFoundError when the source does not exist) on failure.
        """
        _whole_folders(maxdepth)
        if isinstance(rpath, (list, tuple)):
            sources = [self._remote(p)[0] for p in rpath]
            if isinstance(lpath, (list, tuple)):
                if len(lpath) != len(sources):
                    raise ValueError(f"get: {len(sources)} sources but {len(lpath)} destinations")
                pairs = [{"source": s, "destination": self._local(d)[0]} for s, d in zip(sources, lpath)]
                return self._transfer("receive", pairs, None, callback, fields)
            folder = self._local(lpath)[0]
            return self._transfer("receive", [{"source": s} for s in sources], folder, callback, fields)
        if isinstance(lpath, (list, tuple)):
            raise ValueError("get: one source and a list of destinations")
        source, contents = self._remote(rpath)
        target, into = self._local(lpath)
        if contents and not recursive:
            raise ValueError(f"get: {rpath!r} ends with / (a folder's contents): pass recursive=True")
        if not contents and (into or os.path.isdir(target)):
            return self._transfer("receive", [{"source": source}], target, callback, fields)
        # A pair: the source is written as target (a folder's contents go in it).
        return self._transfer("receive", [{"source": source, "destination": target}], None, callback, fields)

    def put(self, lpath: PathArg, rpath: PathArg, recursive: bool = False,
            callback: Any = None, maxdepth: Optional[int] = None, **fields: Any) -> Summary:  # type: ignore[override]
        """Upload lpath (a path, a glob or a list) to rpath in one transfer.

        A file goes into rpath when rpath ends with / or is an existing
        remote folder (ascp decides), else it is written as rpath. A folder
        needs recursive=True; ending lpath with a separator sends its
        contents into rpath, otherwise the folder goes inside rpath
        (rpath/NAME) — whether or not rpath exists, as fasp cannot look. A
        list or glob goes into the folder rpath, or pairwise to a list of
        rpaths. callback, fields and the result are as for :meth:`get`.
        """
        _whole_folders(maxdepth)
        if isinstance(lpath, (str, os.PathLike)) and glob.has_magic(os.fspath(lpath)):
            matches = sorted(glob.glob(os.fspath(lpath)))
            if not matches:
                raise FileNotFoundError(f"put: nothing matches {os.fspath(lpath)!r}")
            lpath = matches
        if isinstance(lpath, (list, tuple)):
            sources = [self._checked_source(p, recursive)[0] for p in lpath]
            if isinstance(rpath, (list, tuple)):
                if len(rpath) != len(sources):
                    raise ValueError(f"put: {len(sources)} sources but {len(rpath)} destinations")
                pairs = [{"source": s, "destination": self._remote(d)[0]} for s, d in zip(sources, rpath)]
                return self._transfer("send", pairs, None, callback, fields)
            return self._transfer("send", [{"source": s} for s in sources], self._remote(rpath)[0], callback, fields)
        if isinstance(rpath, (list, tuple)):
            raise ValueError("put: one source and a list of destinations")
        source, contents = self._checked_source(lpath, recursive)
        target, into = self._remote(rpath)
        if os.path.isdir(source) and not contents:
            return self._transfer("send", [{"source": source}], target, callback, fields)
        if into and not os.path.isdir(source):
            return self._transfer("send", [{"source": source}], target, callback, fields)
        return self._transfer("send", [{"source": source, "destination": target}], None, callback, fields)

    def _checked_source(self, path: Any, recursive: bool) -> Tuple[str, bool]:
        source, contents = self._local(path)
        if not os.path.lexists(source):
            raise FileNotFoundError(f"put: no such file or folder: {os.fspath(path)!r}")
        if os.path.isdir(source) and not recursive:
            raise IsADirectoryError(f"put: {os.fspath(path)!r} is a folder: pass recursive=True")
        return source, contents

    def get_file(self, rpath: Any, lpath: Any, callback: Any = None, outfile: Any = None,
                 **fields: Any) -> Summary:  # type: ignore[override]
        """Download one file to the path lpath (not a file object)."""
        if outfile is not None or not isinstance(lpath, (str, os.PathLike)):
            raise _no_remote_view("write into a file object (ascp writes files on disk)")
        return self._transfer("receive", [{"source": self._remote(rpath)[0], "destination": self._local(lpath)[0]}],
                              None, callback, fields)

    def put_file(self, lpath: Any, rpath: Any, callback: Any = None, **fields: Any) -> Summary:  # type: ignore[override]
        """Upload one file as rpath."""
        return self._transfer("send", [{"source": self._local(lpath)[0], "destination": self._remote(rpath)[0]}],
                              None, callback, fields)

    # -- what ascp cannot answer -------------------------------------------

    def ls(self, path: Any, detail: bool = True, **kwargs: Any) -> Any:
        raise _no_remote_view("list a remote folder")

    def info(self, path: Any, **kwargs: Any) -> Any:
        raise _no_remote_view("stat a remote path")

    def exists(self, path: Any, **kwargs: Any) -> bool:
        raise _no_remote_view("tell whether a remote path exists")

    def isdir(self, path: Any) -> bool:
        raise _no_remote_view("tell whether a remote path is a folder")

    def isfile(self, path: Any) -> bool:
        raise _no_remote_view("tell whether a remote path is a file")

    def find(self, path: Any, *args: Any, **kwargs: Any) -> Any:
        raise _no_remote_view("walk a remote folder")

    def walk(self, path: Any, *args: Any, **kwargs: Any) -> Any:
        raise _no_remote_view("walk a remote folder")

    def glob(self, path: Any, **kwargs: Any) -> Any:
        raise _no_remote_view("expand a remote glob")

    def du(self, path: Any, *args: Any, **kwargs: Any) -> Any:
        raise _no_remote_view("measure a remote folder")

    def _open(self, path: Any, mode: str = "rb", *args: Any, **kwargs: Any) -> Any:
        raise _no_remote_view("open a remote file as a stream (use get or put)")

    def cat_file(self, path: Any, *args: Any, **kwargs: Any) -> Any:
        raise _no_remote_view("read a remote file into memory (use get)")

    def pipe_file(self, path: Any, value: Any, **kwargs: Any) -> Any:
        raise _no_remote_view("write bytes to a remote file (use put)")

    def mkdir(self, path: Any, create_parents: bool = True, **kwargs: Any) -> None:
        raise _no_remote_view("create a remote folder (put creates the folders it needs)")

    def makedirs(self, path: Any, exist_ok: bool = False) -> None:
        raise _no_remote_view("create a remote folder (put creates the folders it needs)")

    def rm(self, path: Any, recursive: bool = False, maxdepth: Optional[int] = None) -> None:
        raise _no_remote_view("remove a remote path")

    def rm_file(self, path: Any) -> None:
        raise _no_remote_view("remove a remote path")

    def cp_file(self, path1: Any, path2: Any, **kwargs: Any) -> None:
        raise _no_remote_view("copy between two remote paths")

    def mv(self, path1: Any, path2: Any, **kwargs: Any) -> None:
        raise _no_remote_view("move a remote path")
