"""The sandbox: what student code can and cannot reach, and how the grader survives it.

The static attacks (exits, patched comparisons, fake modules, fork bombs …) are scenario folders
(`test_scenarios.py`); the ones below need paths or servers that exist only while the test runs.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from conftest import MAX_SCORE, ROOT, TIME_LIMIT, needs_full_sandbox

import autograder
from autograder.grading import Grader
from autograder.result import Status
from autograder.runner.client import Runner
from autograder.runner.factory import SpawnFactory, default_factory
from autograder.runner.policy import Policy, default_policy
from autograder.runner.proxy import Student

SPY = '''
import os, socket

def facts(course, sentinel, port):
    out = {"uid": os.getuid(), "pid": os.getpid(), "cwd": os.getcwd(), "env": sorted(os.environ)}
    out["course"] = _try(lambda: sorted(os.listdir(course)))
    out["solution"] = _try(lambda: open(os.path.join(course, "solutions", "mlp.py")).read()[:20])
    out["hidden"] = _try(lambda: open(os.path.join(course, "tests", "hidden", "test_mlp.py")).read()[:20])
    out["delete"] = _try(lambda: os.remove(sentinel))
    out["write_next_to"] = _try(lambda: open(sentinel + ".evil", "w").write("x"))
    out["write_course"] = _try(lambda: open(os.path.join(course, "evil.py"), "w").write("x"))
    out["write_etc"] = _try(lambda: open("/etc/autograder-evil", "w").write("x"))
    out["write_cwd"] = _try(lambda: open("scratch.txt", "w").write("fine"))
    out["connect"] = _try(lambda: socket.create_connection(("127.0.0.1", port), timeout=2).sendall(b"leak"))
    out["processes"] = _try(lambda: sorted(int(p) for p in os.listdir("/proc") if p.isdigit()))
    out["init_cmdline"] = _try(lambda: open("/proc/1/cmdline", "rb").read().decode(errors="replace"))
    return out

def _try(action):
    try:
        value = action()
    except Exception as exc:
        return "refused: " + type(exc).__name__
    return value if value is not None else "done"
'''


@pytest.fixture
def listener():
    """A TCP server on the host's loopback that records whatever connects."""
    received: list[bytes] = []
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                received.append(conn.recv(100))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], received
    stop.set()
    thread.join()
    server.close()


def sandbox(policy: Policy) -> Runner:
    """A sandbox runner with its own zygote, for a policy other than the default one."""
    return Runner(default_factory(policy.preload), policy)


#: Never in the allowlisted root, though it lies inside the Python installation: the drop-first
#: policy hides it to show that a hidden directory inside an exposed one is covered.
TORCH_HEADERS = Path(__import__("torch").__file__).parent / "include"


@pytest.fixture(scope="module")
def unprivileged_grader(course) -> Iterator[Grader]:
    """Children that drop to an unprivileged uid before confining themselves, so they take the
    path a non-root grader's children take (a user namespace), tested here as root."""
    policy = replace(default_policy(hide=(str(course.root), str(TORCH_HEADERS)), preload=course.preload()),
                     uid=None, gid=None, drop_first=62000 + os.getpid() % 1000)
    with Grader(course, runner=sandbox(policy), time_limit=TIME_LIMIT) as warm:
        yield warm


@pytest.fixture(params=["as root", "in a user namespace"])
def confined(request) -> Grader:
    """The session's root sandbox, then one whose children confine themselves without root."""
    return request.getfixturevalue("grader" if request.param == "as root" else "unprivileged_grader")


def _ask(runner: Runner, folder: Path, question: Any, *, time_limit: float = 20) -> Any:
    """Load `folder` as a submission, ask `question(student)` in a fresh child, unload."""
    runner.load(folder)
    try:
        runner.begin_check(seed=1, time_limit=time_limit)
        return question(Student(runner))
    finally:
        runner.unload()


def _facts(runner: Runner, folder: Path, course: Path, sentinel: Path, port: int) -> dict:
    return _ask(runner, folder, lambda student: student.spy.facts(str(course), str(sentinel), port))


@needs_full_sandbox
def test_student_code_cannot_read_write_or_connect(confined, course, tmp_path, write_submission, listener):
    port, received = listener
    sentinel = tmp_path / "keep-me.txt"
    sentinel.write_text("precious")
    facts = _facts(confined.runner, write_submission({"spy.py": SPY}), course.root, sentinel, port)
    assert facts["uid"] != 0 and facts["pid"] == 1
    assert facts["course"] == "refused: FileNotFoundError" and facts["solution"].startswith("refused")
    assert facts["hidden"].startswith("refused")
    assert facts["delete"].startswith("refused") and facts["write_next_to"].startswith("refused")
    assert facts["write_course"].startswith("refused") and facts["write_etc"].startswith("refused")
    assert facts["write_cwd"] == 4, "the working directory stays writable"
    assert facts["connect"].startswith("refused") and received == []
    assert facts["processes"] == [1], "only its own processes are visible"
    assert "pytest" not in facts["init_cmdline"] and str(course.root / "tests") not in facts["init_cmdline"]
    assert set(facts["env"]) <= {"HOME", "USER", "LOGNAME", "PATH", "LANG", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                                 "PYTHONDONTWRITEBYTECODE", "CUDA_VISIBLE_DEVICES", "CUDA_DEVICE_ORDER"}
    assert sentinel.read_text() == "precious" and not Path(f"{sentinel}.evil").exists()
    assert not (course.root / "evil.py").exists() and not Path("/etc/autograder-evil").exists()


@needs_full_sandbox
def test_the_report_says_how_the_submission_was_isolated(confined, course):
    report = confined.grade(course.solutions, only=["views"]).sandbox
    assert report.mode == "sandbox" and report.unavailable == ()
    applied = " ".join(report.applied)
    for layer in ("namespaces (", "private /tmp", "private /proc", "allowlisted root (pivot_root", "read-only root",
                  "rlimit memory", "rlimit processes", "no_new_privs"):
        assert layer in applied
    if confined.runner.policy.drop_first is None:
        assert "no supplementary groups" in applied and "user" not in applied
    else:
        assert "namespaces (user," in applied and "mapped to themselves" in applied
        assert "all capabilities dropped" in applied and f"{TORCH_HEADERS} covered" in applied


FIND_SOLUTIONS = """
import os

def solutions():
    found = []
    for root, dirs, files in os.walk("/"):
        if root == "/proc":  # processes, not files: and only the submission's own
            dirs.clear()
        if os.path.basename(root) == "solutions" and "mlp.py" in files:
            found.append(root)
    return found

def look(paths):
    return {"top": sorted(os.listdir("/")), "exists": [os.path.exists(p) for p in paths],
            "listed": {p: _listing(p) for p in paths}}

def _listing(path):
    try:
        return sorted(os.listdir(path))
    except OSError as exc:
        return type(exc).__name__
"""


@pytest.fixture
def planted() -> Iterator[list[Path]]:
    """World-readable copies of the mlp reference where the old sandbox let a submission read
    them: another checkout beside the course, the grader's home, /srv, /opt."""
    token = secrets.token_hex(4)
    places = {ROOT.parent / f".autograder-sibling-{token}": "solutions",
              Path.home() / f".autograder-{token}": "solutions",
              Path("/srv") / f"autograder-{token}": "solutions",
              Path("/opt") / f"autograder-{token}": "course/solutions"}
    files = [top / inside / "mlp.py" for top, inside in places.items()]
    try:
        for top, file in zip(places, files, strict=True):
            file.parent.mkdir(parents=True)
            shutil.copy(ROOT / "solutions" / "mlp.py", file)
            for path in (top, *top.rglob("*")):
                path.chmod(0o755 if path.is_dir() else 0o644)
        yield files
    finally:
        for top in places:
            shutil.rmtree(top, ignore_errors=True)


@needs_full_sandbox
def test_a_submission_walking_the_whole_file_system_finds_no_solutions(confined, planted, tmp_path):
    folder = tmp_path / "walker"
    folder.mkdir()
    (folder / "walk.py").write_text(FIND_SOLUTIONS)
    assert all(file.read_text() == (ROOT / "solutions" / "mlp.py").read_text() for file in planted)
    # Walking every directory the child can see (the Python installation with torch's, the loader
    # directories with the whole of /usr/lib) takes about 10 s alone, and more in a loaded suite:
    # the limit is for confinement, not speed.
    assert _ask(confined.runner, folder, lambda student: student.walk.solutions(), time_limit=120) == []


@needs_full_sandbox
def test_the_child_sees_only_the_allowlisted_root(confined, tmp_path):
    folder = tmp_path / "looker"
    folder.mkdir()
    (folder / "walk.py").write_text(FIND_SOLUTIONS)
    kit = Path(autograder.__file__).parent
    paths = [str(ROOT), str(kit), str(ROOT / "solutions"), "/home", "/srv", "/opt", "/etc/passwd", "/usr/bin"]
    seen = _ask(confined.runner, folder, lambda student: student.walk.look(paths))
    # The Python installation (here under /root), the loader's directories and the merged-usr
    # links to them, the loader's configuration in /etc, and the sandbox's own /dev, /proc, /tmp.
    expected = {"dev", "etc", "proc", "tmp", "usr", "var", Path(sys.prefix).resolve().parts[1]}
    expected |= {name for name in ("lib", "lib64") if os.path.exists("/" + name)}
    assert set(seen["top"]) == expected
    assert not {"home", "srv", "opt", "work", "mnt", "boot", "bin"} & set(seen["top"])
    assert seen["exists"] == [False] * len(paths), dict(zip(paths, seen["exists"], strict=True))


@needs_full_sandbox
def test_a_hidden_directory_inside_the_python_installation_is_empty(unprivileged_grader, tmp_path):
    from autograder.runner import _jail

    assert str(TORCH_HEADERS) in _jail.plan(unprivileged_grader.runner.policy).covers
    folder = tmp_path / "headers"
    folder.mkdir()
    (folder / "walk.py").write_text(FIND_SOLUTIONS)
    seen = _ask(unprivileged_grader.runner, folder, lambda student: student.walk.look([str(TORCH_HEADERS)]))
    assert seen["listed"] == {str(TORCH_HEADERS): []} and any(TORCH_HEADERS.iterdir())


@needs_full_sandbox
def test_a_submission_that_copies_the_reference_from_disk_gains_nothing(confined, course, write_submission):
    thief = textwrap.dedent(f'''
        import pathlib
        _source = ""
        for path in (pathlib.Path({str(course.solutions)!r}) / "padding.py",
                     pathlib.Path({str(course.root)!r}).parent / "main" / "solutions" / "padding.py"):
            try:
                _source = path.read_text()
                break
            except OSError:
                pass
        if _source:
            exec(compile(_source.replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", ""), "stolen", "exec"))
        else:
            def conv_output_size(size, kernel_size, padding=0, stride=1):
                raise NotImplementedError
            def same_padding(kernel_size):
                raise NotImplementedError
    ''')
    result = confined.grade(write_submission({"padding.py": thief}), only=["padding"])
    assert result.score == 0
    assert {c.status for c in result.checks} == {Status.NOT_ATTEMPTED}


def test_a_correct_submission_next_to_a_hostile_one_keeps_full_marks(grader, course, write_submission):
    hostile = write_submission({
        "mlp.py": "import os\nos._exit(0)\n",
        "padding.py": "import ctypes\ndef conv_output_size(*a, **k):\n    ctypes.string_at(0)\n"
                      "def same_padding(k):\n    while True:\n        pass\n",
        "views.py": "import torch\ntorch.testing.assert_close = lambda *a, **k: None\ntorch.equal = lambda *a: True\n",
    })
    bad = grader.grade(hostile, only=["mlp", "padding", "views"])
    assert bad.score == 0
    good = grader.grade(course.solutions)
    assert good.score == good.max_score == MAX_SCORE
    assert {c.status for c in good.checks} == {Status.PASSED}


def test_crashes_are_reported_as_such_and_the_next_check_gets_a_fresh_process(grader, course, write_submission):
    source = (course.solutions / "views.py").read_text().replace(
        "    return t.item()", "    import ctypes\n    ctypes.string_at(0)")
    result = grader.grade(write_submission({"views.py": source}), only=["views"])
    statuses = {c.id.split("::")[1]: c for c in result.checks}
    crashed = statuses["test_to_scalar_python_types"]
    assert crashed.status == Status.ERROR and "segmentation fault" in crashed.message
    assert "resource limit" in crashed.hint
    assert statuses["test_reshape_shared_shares_memory"].status == Status.PASSED
    assert result.score == 10 - 3  # every check that calls to_scalar with one element


def test_exit_during_import_is_not_retried_for_every_check(grader, write_submission):
    result = grader.grade(write_submission({"mlp.py": "import os\nos._exit(3)\n"}), only=["mlp"])
    messages = {c.message for c in result.checks}
    assert len(messages) == 1 and "exited with status 3 during importing mlp.py" in messages.pop()


def test_without_namespaces_or_a_uid_change_grading_still_works_and_says_so(course):
    with sandbox(Policy(uid=None, namespaces=False)) as runner:
        from autograder.grading import Grader

        result = Grader(course, runner=runner).grade(course.solutions, only=["device"])
    assert result.score == 10
    assert result.sandbox.mode == "sandbox"
    assert not any("namespaces" in layer for layer in result.sandbox.applied)
    assert any("rlimit" in layer for layer in result.sandbox.applied)


def test_spawned_children_work_where_fork_is_not_used(course):
    """The path macOS and Windows take: a fresh interpreter per exercise, limits only."""
    with Runner(SpawnFactory(), Policy(uid=None, namespaces=False)) as runner:
        from autograder.grading import Grader

        result = Grader(course, runner=runner, time_limit=60).grade(course.solutions, only=["padding"])
    assert result.score == 10, [check.message for check in result.checks]
    assert result.sandbox.mode == "process"
    assert any("namespaces" in note for note in result.sandbox.unavailable)


def test_a_dead_zygote_is_replaced_and_grading_goes_on(course):
    from autograder.grading import Grader

    with Grader(course, runner="sandbox") as grader:
        assert grader.grade(course.solutions, only=["padding"]).score == 10
        zygote = grader.runner._factory._process
        zygote.kill()
        zygote.wait()
        assert grader.grade(course.solutions, only=["views"]).score == 10
        assert grader.runner._factory._process.pid != zygote.pid


LOOK_AROUND = '''
import os

def everything():
    found = []
    for top in ("/tmp", "/var/tmp", "/dev/shm"):
        for root, dirs, files in os.walk(top):
            found += [os.path.join(root, name) for name in files]
    return sorted(found)
'''


@needs_full_sandbox
def test_a_child_sees_only_its_own_submission(confined, tmp_path):
    """Children are confined before their submission is known: nothing of the one before
    may be left where the next can look."""
    first, second = tmp_path / "alice", tmp_path / "bob"
    for folder, name in ((first, "secret_of_alice.txt"), (second, "notes.txt")):
        folder.mkdir()
        (folder / name).write_text(folder.name)
        (folder / "look.py").write_text(LOOK_AROUND)
    seen = [_ask(confined.runner, folder, lambda student: student.look.everything()) for folder in (first, second)]
    assert seen[0] == ["/tmp/work/look.py", "/tmp/work/secret_of_alice.txt"]
    assert seen[1] == ["/tmp/work/look.py", "/tmp/work/notes.txt"]


def test_the_files_of_a_submission_are_delivered_once_and_only_inside(tmp_path):
    from autograder.runner import _child, codec

    responder = _child.Responder(str(tmp_path))

    def send(files):
        return codec.decode(responder.handle(codec.encode({"op": "files", "files": files, "n": 1})))

    assert "unsafe path" in send([["../escape.py", b"x"]])["invalid"]
    responder.delivered = False
    assert "unsafe path" in send([["/etc/passwd", b"x"]])["invalid"]
    responder.delivered = False
    assert send([["pkg/mod.py", b"VALUE = 1\n"], ["top.py", b""]])["ok"] == 2
    assert (tmp_path / "pkg" / "mod.py").read_bytes() == b"VALUE = 1\n"
    assert "already delivered" in send([["late.py", b"x"]])["invalid"]
    assert not (tmp_path / "late.py").exists() and not (tmp_path.parent / "escape.py").exists()


def test_the_zygotes_rehearsal_still_matches_the_protocol(monkeypatch):
    """The zygote rehearses with errors suppressed (it is only an optimisation),
    so a rehearsal that no longer matches the protocol would go unnoticed but for this."""
    from autograder.runner import _child, codec

    replies = []
    handle = _child.Responder.handle

    def recording(self, payload):
        reply = handle(self, payload)
        replies.append(codec.decode(reply, handle=lambda h: h))
        return reply

    monkeypatch.setattr(_child.Responder, "handle", recording)
    _child.rehearse()
    outcomes = [next(k for k in ("ok", "raised", "invalid") if k in reply) for reply in replies]
    assert len(outcomes) > 20 and "invalid" not in outcomes
    assert outcomes.count("raised") == 2  # the two failures it rehearses on purpose


@needs_full_sandbox
def test_each_child_is_the_first_process_of_its_own_pid_namespace(grader, tmp_path):
    folder = tmp_path / "ns"
    folder.mkdir()
    (folder / "where.py").write_text("import os\n\n"
                                     "def ns():\n    return os.getpid(), os.readlink('/proc/self/ns/pid')\n")
    seen = [_ask(grader.runner, folder, lambda student: student.where.ns()) for _ in range(2)]
    (first_pid, first_ns), (second_pid, second_ns) = seen
    assert first_pid == second_pid == 1 and first_ns != second_ns
    # Between forks the zygote's children go back to its own namespace: none joins a child's.
    # (While it forks the next spare the link names that spare's namespace, or nothing yet.)
    zygote = grader.runner._factory._process.pid
    own, later, deadline = os.readlink(f"/proc/{zygote}/ns/pid"), None, time.monotonic() + 10
    while later != own and time.monotonic() < deadline:
        time.sleep(0.01)
        with contextlib.suppress(FileNotFoundError):
            later = os.readlink(f"/proc/{zygote}/ns/pid_for_children")
    assert later == own and own not in (first_ns, second_ns)


@needs_full_sandbox
def test_an_unprivileged_child_is_pid_1_of_a_pid_namespace_inside_its_own_user_namespace(unprivileged_grader,
                                                                                           tmp_path):
    folder = tmp_path / "ns"
    folder.mkdir()
    (folder / "where.py").write_text("import os\n\ndef ns():\n    return os.getpid(), os.getuid(), "
                                     "os.readlink('/proc/self/ns/pid'), os.readlink('/proc/self/ns/user')\n")
    seen = [_ask(unprivileged_grader.runner, folder, lambda student: student.where.ns()) for _ in range(2)]
    (first_pid, uid, first_ns, first_user), (second_pid, _, second_ns, second_user) = seen
    assert first_pid == second_pid == 1 and first_ns != second_ns
    assert uid == unprivileged_grader.runner.policy.drop_first
    assert os.readlink("/proc/self/ns/user") not in (first_user, second_user) and first_user != second_user


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="CPU affinity is Linux's")
def test_a_child_runs_on_the_cpu_of_the_thread_that_grades_it(grader, tmp_path):
    """Calls are a ping-pong: the child and the grading thread share one CPU while a submission
    is graded, and the thread gets its CPUs back afterwards."""
    before = os.sched_getaffinity(0)
    (tmp_path / "where.py").write_text("import os\n\ndef cpus():\n    return sorted(os.sched_getaffinity(0))\n")
    runner = grader.runner
    runner.load(tmp_path)
    try:
        runner.begin_check(seed=1, time_limit=20)
        child = Student(runner).where.cpus()
        assert len(child) == 1 and sorted(os.sched_getaffinity(0)) == child
    finally:
        runner.unload()
    assert os.sched_getaffinity(0) == before
