"""The fsspec filesystem fasp:// against ascpsim."""

from __future__ import annotations

import importlib.metadata
import os
import unittest
from pathlib import Path
from unittest import mock

try:
    import fsspec
    from fsspec.callbacks import Callback
except ImportError as e:  # required, not optional: .ci/run installs python3-fsspec
    raise ImportError("the fasp:// tests need fsspec (Debian: python3-fsspec)") from e

import asession
from asession.fs import FaspFileSystem
from support import INSTALLED, PASSWORD, WRONG_PASSWORD, ServerTestCase, make_tree, tree_files

if not INSTALLED:
    # From the source tree there is no installed entry point to find.
    fsspec.register_implementation("fasp", FaspFileSystem, clobber=True)


class Recorder(Callback):
    """An fsspec callback that keeps every (value, size) it is given."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list = []

    def call(self, *args: object, **kwargs: object) -> None:
        self.seen.append((self.value, self.size))


class FaspTest(ServerTestCase):

    def fs(self, **options: object) -> FaspFileSystem:
        options.setdefault("host", "localhost")
        options.setdefault("username", "demo")
        options.setdefault("password", PASSWORD)
        return fsspec.filesystem("fasp", skip_instance_cache=True, **options)

    def assertReachedAll(self, recorder: Recorder, total: int) -> None:
        self.assertTrue(recorder.seen, "the callback was never called")
        self.assertEqual(recorder.seen[-1], (total, total), "progress did not end at 100 %")
        values = [v for v, _ in recorder.seen]
        self.assertEqual(values, sorted(values), "progress went backwards")

    def test_put_and_get_a_folder_byte_identical_with_progress(self):
        local = self.dir / "local" / "tree"
        files = make_tree(local)
        total = sum(len(d) for d in files.values())
        fs = self.fs()

        up = Recorder()
        summary = fs.put(str(local), "/uploads/", recursive=True, callback=up)
        self.assertTrue(summary.ok)
        self.assertEqual(tree_files(self.server / "uploads" / "tree"), files)
        self.assertReachedAll(up, total)

        down = Recorder()
        target = self.dir / "download"
        target.mkdir()
        fs.get("/uploads/tree", str(target), recursive=True, callback=down)
        self.assertEqual(tree_files(target / "tree"), files)
        self.assertReachedAll(down, total)

    def test_registered_through_the_entry_point(self):
        self.assertIs(fsspec.get_filesystem_class("fasp"), FaspFileSystem)
        if INSTALLED:
            points = [ep for ep in importlib.metadata.entry_points(group="fsspec.specs") if ep.name == "fasp"]
            self.assertEqual([ep.value for ep in points], ["asession.fs:FaspFileSystem"])
            self.assertEqual(points[0].dist.name, "asession")
            self.assertEqual(points[0].dist.version, asession.__version__)
        else:
            text = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text()
            self.assertIn('[project.entry-points."fsspec.specs"]\nfasp = "asession.fs:FaspFileSystem"', text)

    def test_url_carries_the_credentials(self):
        local = self.dir / "one.txt"
        local.write_bytes(b"by url\n")
        fs, path = fsspec.core.url_to_fs(f"fasp://demo:{PASSWORD}@localhost/by-url/")
        self.assertIsInstance(fs, FaspFileSystem)
        self.assertEqual(path, "/by-url")
        fs.put(str(local), f"fasp://demo@localhost/by-url/")
        self.assertEqual((self.server / "by-url" / "one.txt").read_bytes(), b"by url\n")
        spec = FaspFileSystem(**FaspFileSystem._get_kwargs_from_urls("fasp://u%40x:p%2Fw@h.example:33001/p"))._base_spec
        self.assertEqual(spec, {"create_dir": True, "remote_host": "h.example", "remote_user": "u@x",
                                "remote_password": "p/w", "ssh_port": 33001})

    def test_environment_gives_what_the_options_do_not(self):
        local = self.dir / "one.txt"
        local.write_bytes(b"by environment\n")
        env = {"FASP_HOST": "localhost", "FASP_USERNAME": "demo", "FASP_PASSWORD": PASSWORD}
        with mock.patch.dict(os.environ, env):
            fs = fsspec.filesystem("fasp", skip_instance_cache=True)
            fs.put(str(local), "/env/")
            wrong = fsspec.filesystem("fasp", password=WRONG_PASSWORD, skip_instance_cache=True)
            with self.assertRaises(asession.TransferError) as cm:
                wrong.put(str(local), "/env2/")
            self.assertEqual(cm.exception.exit_code, 1)
        self.assertEqual((self.server / "env" / "one.txt").read_bytes(), b"by environment\n")

    def test_copy_rules(self):
        local = self.dir / "local"
        files = make_tree(local / "tree", big=1000)
        fs = self.fs()
        # A folder's contents (source ending with /) into a new folder.
        fs.put(str(local / "tree") + "/", "/contents", recursive=True)
        self.assertEqual(tree_files(self.server / "contents"), files)
        # A file into a folder (target ending with /), and renamed.
        fs.put(str(local / "tree" / "read me.txt"), "/files/")
        fs.put(str(local / "tree" / "read me.txt"), "/files/renamed.txt")
        # A file to an existing folder named without a slash goes inside it.
        fs.put(str(local / "tree" / "nested" / "deeper" / "leaf"), "/files")
        # A list, and a glob, into a folder.
        fs.put([str(local / "tree" / "read me.txt"), str(local / "tree" / "nested" / "deeper" / "leaf")], "/list")
        fs.put(str(local / "tree" / "nested" / "deeper" / "*"), "/glob/")
        self.assertEqual(tree_files(self.server / "files"),
                         {"read me.txt": files["read me.txt"], "renamed.txt": files["read me.txt"],
                          "leaf": files["nested/deeper/leaf"]})
        self.assertEqual(tree_files(self.server / "list"),
                         {"read me.txt": files["read me.txt"], "leaf": files["nested/deeper/leaf"]})
        self.assertEqual(set(tree_files(self.server / "glob")), {"leaf", "big.bin"})

        down = self.dir / "down"
        # Contents of a remote folder into a new local folder.
        fs.get("/contents/", str(down / "copy"), recursive=True)
        self.assertEqual(tree_files(down / "copy"), files)
        # A file as a new name; into an existing folder; pairwise.
        fs.get("/files/renamed.txt", str(down / "again.txt"))
        fs.get("/files/renamed.txt", str(down / "copy"))
        fs.get(["/list/leaf", "/list/read me.txt"], [str(down / "p1"), str(down / "p2")])
        self.assertEqual((down / "again.txt").read_bytes(), files["read me.txt"])
        self.assertEqual((down / "copy" / "renamed.txt").read_bytes(), files["read me.txt"])
        self.assertEqual(((down / "p1").read_bytes(), (down / "p2").read_bytes()),
                         (files["nested/deeper/leaf"], files["read me.txt"]))

    def test_missing_remote_path_is_file_not_found(self):
        with self.assertRaises(FileNotFoundError):
            self.fs().get("/not/there.bin", str(self.dir / "x.bin"))
        with self.assertRaises(FileNotFoundError):
            self.fs().put(str(self.dir / "not-here.bin"), "/x/")

    def test_folder_without_recursive_is_refused(self):
        (self.dir / "d").mkdir()
        with self.assertRaises(IsADirectoryError):
            self.fs().put(str(self.dir / "d"), "/x/")
        with self.assertRaisesRegex(NotImplementedError, "folder whole"):
            self.fs().put(str(self.dir / "d"), "/x/", recursive=True, maxdepth=1)
        self.assertFalse((self.server / "x").exists())

    def test_unknown_spec_field_is_refused_by_name(self):
        local = self.dir / "one.txt"
        local.write_bytes(b"x")
        with self.assertRaises(asession.InputError) as cm:
            self.fs(target_rate=1000).put(str(local), "/x/")
        self.assertEqual([p["pointer"] for p in cm.exception.problems], ["/target_rate"])
        self.fs(target_rate_kbps=100000).put(str(local), "/x/")
        self.assertEqual((self.server / "x" / "one.txt").read_bytes(), b"x")

    def test_what_ascp_cannot_answer_says_so(self):
        fs = self.fs()
        for call in (lambda: fs.ls("/"), lambda: fs.info("/a"), lambda: fs.exists("/a"),
                     lambda: fs.isfile("/a"), lambda: fs.isdir("/a"), lambda: fs.find("/"),
                     lambda: fs.open("/a", "rb"), lambda: fs.cat_file("/a"), lambda: fs.rm("/a"),
                     lambda: fs.makedirs("/a")):
            with self.assertRaises(NotImplementedError) as cm:
                call()
            self.assertIn("ascp only transfers files", str(cm.exception))


if __name__ == "__main__":
    unittest.main()
