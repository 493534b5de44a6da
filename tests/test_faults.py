"""`statuskit build` under faults: a failing later target, SIGKILL at any moment, two builds at
once, a symbolic link as output folder, a read-only or full disk.

Every case checks the published folder byte for byte against the old site or the complete new
one, and that the next build needs no cleanup by hand.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import OPEN_INCIDENT, RESOLVED_INCIDENT, SiteProject
from statuskit.cli import publish
from statuskit.cli.main import main

# MkDocs dates the sitemap from this, so two builds of the same files give the same bytes.
REPRODUCIBLE = {"SOURCE_DATE_EPOCH": "1773532800", "NO_MKDOCS_2_WARNING": "1"}


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a folder (following a link at the top) with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def debris(parent: Path, name: str = "site") -> list[str]:
    """Hidden working files of a build left beside the output folder."""
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(f".{name}."))


def command(root: Path, *args: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "statuskit.cli.main",
        "build",
        "-f",
        str(root / "mkdocs.yml"),
        *args,
    ]


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **REPRODUCIBLE}
    return subprocess.run(
        command(root, *args), cwd=root, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def sites(
    project: SiteProject, monkeypatch: pytest.MonkeyPatch
) -> tuple[SiteProject, dict[str, bytes], dict[str, bytes]]:
    """A three-locale project published once (the old site), and the bytes of its next version."""
    for key, value in REPRODUCIBLE.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(project.root)
    project.configure(locales=["en", "ko", "ja"])
    project.write("2026/2026-03-14-payments.md", RESOLVED_INCIDENT)
    first = run(project.root, "--jobs", "1")
    assert first.returncode == 0, first.stderr
    old = snapshot(project.site)
    keep = project.root / "old-site"
    shutil.copytree(project.site, keep, symlinks=True)
    project.write("2026/2026-03-15-api-slow.md", OPEN_INCIDENT)
    second = run(project.root, "--jobs", "1", "--site-dir", str(project.root / "reference"))
    assert second.returncode == 0, second.stderr
    new = snapshot(project.root / "reference")
    shutil.rmtree(project.root / "reference")
    assert old != new and len(new) > 100
    return project, old, new


def mixed(state: dict[str, bytes], old: dict[str, bytes], new: dict[str, bytes]) -> str:
    """Which files of a site are neither the old nor the new version, for the failure message."""
    odd = [
        name
        for name in sorted(set(state) | set(old) | set(new))
        if state.get(name) not in (old.get(name), new.get(name))
    ]
    return f"{len(odd)} file(s) neither old nor new: {odd[:8]}"


def restore_old(project: SiteProject) -> None:
    """Put the old site back as an earlier build published it; leave any debris where it is."""
    if project.site.exists():
        shutil.rmtree(project.site)
    shutil.copytree(project.root / "old-site", project.site, symlinks=True)


# --- a failure after earlier targets wrote their files -------------------------------------


FAILING_TEMPLATE = """
{% extends "base.html" %}
{% block extrahead %}
  {% if config.theme.language == "ja" %}{{ page_helpers.broken() }}{% endif %}
{% endblock %}
"""


@pytest.mark.parametrize("jobs", ["1", "3"])
def test_a_later_target_failing_leaves_the_published_site_byte_identical(
    sites: tuple[SiteProject, dict[str, bytes], dict[str, bytes]], jobs: str
) -> None:
    project, old, _ = sites
    # A template of the site that breaks only the Japanese build, the last of en, ko, ja.
    (project.root / "overrides").mkdir()
    (project.root / "overrides" / "main.html").write_text(textwrap.dedent(FAILING_TEMPLATE))
    config = (project.root / "mkdocs.yml").read_text()
    (project.root / "mkdocs.yml").write_text(
        config.replace("name: material", "name: material\n  custom_dir: overrides")
    )
    result = run(project.root, "--jobs", jobs)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"the build of paths target ja failed, {project.site} left as it was" in result.stderr
    assert "'page_helpers' is undefined" in result.stderr
    if jobs == "1":
        # en and ko were built (and written to disk) before ja failed.
        started = [line for line in result.stderr.splitlines() if "building paths target" in line]
        assert [line.split()[3] for line in started] == ["en", "ko", "ja"]
    assert snapshot(project.site) == old
    assert debris(project.root) == []


def test_a_fault_inside_a_later_target_build_changes_nothing(
    sites: tuple[SiteProject, dict[str, bytes], dict[str, bytes]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project, old, _ = sites
    real = publish.write_root
    written: list[Path] = []

    def after_every_target(folder: Path, *args: object) -> None:
        written.extend(folder.rglob("index.html"))
        raise OSError(errno.EIO, "Input/output error", str(folder / "index.html"))

    monkeypatch.setattr(publish, "write_root", after_every_target)
    result = CliRunner().invoke(main, ["build", "--jobs", "1"])
    monkeypatch.setattr(publish, "write_root", real)
    assert result.exit_code == 1
    assert "cannot write" in result.output and "Input/output error" in result.output
    assert len(written) > 10, "every target had written its pages before the fault"
    assert snapshot(project.site) == old
    assert debris(project.root) == []


# --- SIGKILL at many moments ---------------------------------------------------------------


def test_sigkill_at_any_moment_leaves_the_old_or_the_new_site(
    sites: tuple[SiteProject, dict[str, bytes], dict[str, bytes]],
) -> None:
    project, old, new = sites
    env = {**os.environ, **REPRODUCIBLE}
    start = time.monotonic()
    assert run(project.root, "--jobs", "1").returncode == 0
    duration = time.monotonic() - start
    seen = {"old": 0, "new": 0}
    moments = 14
    for n in range(moments):
        restore_old(project)
        jobs = "2" if n % 3 == 2 else "1"
        process = subprocess.Popen(
            command(project.root, "--jobs", jobs, "--wait", "60"),
            cwd=project.root,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(duration * 1.2 * n / (moments - 1))
        # Only the build's own process, as the kernel's out-of-memory killer would: its
        # worker processes (with --jobs 2) must not outlive it and write on.
        process.kill()
        process.wait()
        state = snapshot(project.site)
        assert state in (old, new), (n, mixed(state, old, new))
        seen["old" if state == old else "new"] += 1
    assert seen["old"], seen
    # No cleanup by hand: the next build recovers and publishes.
    final = run(project.root, "--jobs", "1", "--wait", "60")
    assert final.returncode == 0, final.stderr
    assert snapshot(project.site) == new
    assert debris(project.root) == []


KILL_AT_STEP = """
import os, signal, sys
from statuskit.cli import publish
from statuskit.cli.main import main

step, when = int(sys.argv.pop(1)), sys.argv.pop(1)
calls, swapping = [0], [False]
def killing(real):
    def step_then_maybe_die(*args):
        if not swapping[0]:  # the clean-up of an earlier kill is not counted
            return real(*args)
        calls[0] += 1
        if calls[0] == step and when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        try:
            real(*args)
        finally:
            if calls[0] == step and when == "after":
                os.kill(os.getpid(), signal.SIGKILL)
    return step_then_maybe_die
for name in ("_rename", "_exchange", "_remove"):
    setattr(publish, name, killing(getattr(publish, name)))
swap_in = publish.swap_in
def swapping_in(*args):
    swapping[0] = True
    swap_in(*args)
publish.swap_in = swapping_in
main()
"""


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two-renames"])
def test_sigkill_at_every_step_of_the_swap(
    sites: tuple[SiteProject, dict[str, bytes], dict[str, bytes]], exchange: bool
) -> None:
    """Kill the build just before and just after each rename or removal of the swap."""
    project, old, new = sites
    script = project.root / "kill_at_step.py"
    source = KILL_AT_STEP
    if not exchange:
        # As on a system without renameat2: the swap is two renames and a removal.
        source = source.replace(
            "main()",
            "def no_exchange(a, b):\n"
            "    raise OSError(__import__('errno').ENOSYS, 'not here')\n"
            "publish._exchange = killing(no_exchange)\nmain()",
        )
    script.write_text(source)
    env = {**os.environ, **REPRODUCIBLE}
    steps = 4 if not exchange else 2
    for step in range(1, steps + 1):
        for when in ("before", "after"):
            restore_old(project)
            killed = subprocess.run(
                [sys.executable, str(script), str(step), when, "build", "--jobs", "1"],
                cwd=project.root,
                env=env,
                capture_output=True,
                text=True,
            )
            assert killed.returncode == -signal.SIGKILL, killed.stderr
            left = debris(project.root)
            if project.site.exists():
                state = snapshot(project.site)
                assert state in (old, new), (step, when, left, mixed(state, old, new))
            else:
                # Only between the two renames: the old site is parked and put back next time.
                assert not exchange and {".site.lock", ".site.old"} <= set(left), (step, when)
                assert snapshot(project.root / ".site.old") == old
            again = run(project.root, "--jobs", "1")
            assert again.returncode == 0, again.stderr
            assert snapshot(project.site) == new
            assert debris(project.root) == []


def test_recovery_puts_a_parked_old_site_back(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (tmp_path / ".site.old").mkdir()
    (tmp_path / ".site.old" / "index.html").write_text("old")
    (tmp_path / ".site.building").mkdir()
    (tmp_path / ".site.building" / "half.html").write_text("half")
    publish.recover(site)
    assert snapshot(site) == {"index.html": b"old"}
    assert debris(tmp_path) == []


# --- two builds at once --------------------------------------------------------------------


def test_a_second_build_refuses_clearly_while_the_first_holds_the_site(
    sites: tuple[SiteProject, dict[str, bytes], dict[str, bytes]],
) -> None:
    project, old, new = sites
    with publish.site_lock(project.site, wait=0):
        refused = run(project.root, "--jobs", "1", "--wait", "0")
        assert refused.returncode == 1
        assert "Traceback" not in refused.stderr
        assert (
            f"another statuskit build (pid {os.getpid()}) is publishing to {project.site}; "
            "let it finish, or pass --wait SECONDS"
        ) in refused.stderr
        assert snapshot(project.site) == old
        # A build told to wait gets the site once the first build is done.
        waiting = subprocess.Popen(
            command(project.root, "--jobs", "1", "--wait", "120"),
            cwd=project.root,
            env={**os.environ, **REPRODUCIBLE},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(3)
        assert waiting.poll() is None, "the second build did not wait"
        assert snapshot(project.site) == old
    _, err = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, err
    assert f"waiting for another statuskit build (pid {os.getpid()})" in err
    assert snapshot(project.site) == new
    assert debris(project.root) == []


def test_two_builds_started_together_both_succeed_one_after_the_other(
    sites: tuple[SiteProject, dict[str, bytes], dict[str, bytes]],
) -> None:
    project, _, new = sites
    env = {**os.environ, **REPRODUCIBLE}
    processes = [
        subprocess.Popen(
            command(project.root, "--jobs", "1"),
            cwd=project.root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [(p.wait(timeout=300), p.communicate()[1]) for p in processes]
    for code, err in results:
        assert code == 0 and "Traceback" not in err, err
    # Started together, one nearly always waits for the other (both succeed either way).
    assert sum("waiting for another statuskit build" in err for _, err in results) <= 1
    assert snapshot(project.site) == new
    assert debris(project.root) == []


# --- the output folder is a symbolic link --------------------------------------------------


def test_an_output_folder_that_is_a_symbolic_link_keeps_pointing_at_the_new_site(
    sites: tuple[SiteProject, dict[str, bytes], dict[str, bytes]],
) -> None:
    project, _, new = sites
    served = project.root / "www" / "status"
    served.parent.mkdir()
    shutil.move(project.site, served)
    project.site.symlink_to(Path("www") / "status")
    result = run(project.root, "--jobs", "1")
    assert result.returncode == 0, result.stderr
    assert project.site.is_symlink() and os.readlink(project.site) == "www/status"
    assert snapshot(project.site) == new
    assert debris(project.root) == [] and debris(served.parent, "status") == []
    # Again, and with the folder it points to missing: the link is kept, the folder made.
    shutil.rmtree(served)
    assert run(project.root, "--jobs", "1").returncode == 0
    assert project.site.is_symlink() and snapshot(project.site) == new


def test_an_output_link_that_loops_or_a_file_in_its_place_is_refused_clearly(
    sites: tuple[SiteProject, dict[str, bytes], dict[str, bytes]],
) -> None:
    project, _, new = sites
    shutil.rmtree(project.site)
    project.site.symlink_to("site")
    looped = run(project.root, "--jobs", "1")
    assert looped.returncode == 1 and "Traceback" not in looped.stderr
    assert "site is a symbolic link that leads back to itself" in looped.stderr
    project.site.unlink()
    project.site.write_text("not a folder")
    blocked = run(project.root, "--jobs", "1")
    assert blocked.returncode == 1 and "Traceback" not in blocked.stderr
    assert "site exists and is not a folder; remove it or pass another --site-dir" in (
        blocked.stderr
    )
    assert debris(project.root) == []
    project.site.unlink()
    assert run(project.root, "--jobs", "1").returncode == 0
    assert snapshot(project.site) == new


# --- a read-only or full disk --------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "hint"),
    [
        (errno.EROFS, "the file system is read-only; build to a writable --site-dir"),
        (errno.ENOSPC, "the disk is full; free some space and build again"),
    ],
)
def test_a_write_error_in_the_middle_of_a_build_is_a_clean_error(
    sites: tuple[SiteProject, dict[str, bytes], dict[str, bytes]],
    monkeypatch: pytest.MonkeyPatch,
    code: int,
    hint: str,
) -> None:
    """The error comes from the file system layer MkDocs writes every page through."""
    import mkdocs.utils

    project, old, _ = sites
    real = mkdocs.utils.write_file
    written: list[str] = []

    def failing_write(content: bytes, output_path: str) -> None:
        # The first page of the last target (ja), after en and ko wrote theirs.
        if f"{os.sep}ja{os.sep}" in output_path:
            raise OSError(code, os.strerror(code), output_path)
        real(content, output_path)
        written.append(output_path)

    monkeypatch.setattr(mkdocs.utils, "write_file", failing_write)
    result = CliRunner().invoke(main, ["build", "--jobs", "1"])
    assert result.exit_code == 1
    assert {Path(p).relative_to(project.root / ".site.building").parts[0] for p in written} == {
        "en",
        "ko",
    }
    assert f"cannot write {project.root}/.site.building/ja/" in result.output
    assert f"the build of paths target ja failed, {project.site} left as it was" in result.output
    assert f"{os.strerror(code)}; {hint}" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert snapshot(project.site) == old
    assert debris(project.root) == []


MOUNTED = """
set -e
mount -t tmpfs -o size={size}k statuskit-test {out}
cp -a {old} {out}/site
{command} --site-dir {out}/site > {log}.full 2>&1 && echo built >> {log}.full || true
cp -a {out}/site {copy}.full
mount -o remount,ro {out}
{command} --site-dir {out}/site > {log}.ro 2>&1 && echo built >> {log}.ro || true
cp -a {out}/site {copy}.ro
ls -a {out} > {log}.ls
"""


def test_a_real_full_then_read_only_file_system(
    sites: tuple[SiteProject, dict[str, bytes], dict[str, bytes]], tmp_path: Path
) -> None:
    """A tmpfs just big enough for the old site, in a private mount namespace."""
    project, old, _ = sites
    unshare = shutil.which("unshare")
    probe = [unshare, "-m", "true"] if os.geteuid() == 0 else [unshare, "-rm", "true"]
    if unshare is None or subprocess.run(probe, capture_output=True).returncode != 0:
        pytest.skip("cannot make a private mount namespace here (needs unshare and mounts)")
    out = tmp_path / "mnt"
    out.mkdir()
    size = sum(len(b) + 4096 for b in old.values()) // 1024 + 256
    script = MOUNTED.format(
        size=size,
        out=out,
        old=project.root / "old-site",
        command=" ".join(command(project.root, "--jobs", "1")),
        log=tmp_path / "log",
        copy=tmp_path / "copy",
    )
    namespace = [unshare, "-m"] if os.geteuid() == 0 else [unshare, "-rm"]
    done = subprocess.run(
        [*namespace, "sh", "-c", script],
        cwd=project.root,
        env={**os.environ, **REPRODUCIBLE},
        capture_output=True,
        text=True,
        timeout=600,
    )
    if "mount:" in done.stderr:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    full = (tmp_path / "log.full").read_text()
    assert "built" not in full and "Traceback" not in full
    assert "No space left on device; the disk is full" in full
    assert snapshot(tmp_path / "copy.full") == old
    read_only = (tmp_path / "log.ro").read_text()
    assert "built" not in read_only and "Traceback" not in read_only
    assert "Read-only file system; the file system is read-only" in read_only
    assert snapshot(tmp_path / "copy.ro") == old
    assert (tmp_path / "log.ls").read_text().split() == [".", "..", "site"]
