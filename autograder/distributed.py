"""Grading a batch on a Dask cluster: `autograder batch SUBMISSIONS --scheduler ADDRESS`.

`DaskWorkers` is the `autograder.batch.Backend` that sends each submission, as bytes, to a Dask
worker and yields its outcome back to the batch process, which alone writes the gradebook::

    backend = DaskWorkers(GradingOptions(course="/srv/course"), "tcp://scheduler:8786")
    try:
        run_batch(course, folder, gradebook=book, backend=backend)
    finally:
        backend.close()

Every worker needs the kit (this version, with `distributed`, torch and the rest) and the course at
the same path as `GradingOptions.course`, with the same content: the batch machine hashes its own
copy for the gradebook's course version, and each worker grades with its own. Submissions need no
shared file system: the batch machine reads each entry (a folder is zipped in memory) and sends the
bytes; the worker unpacks them into a private temporary directory and grades that.

On each worker, a `WorkerPlugin` keeps one warm grader (its sandbox zygote started at once) in a
thread of its own, grading one submission after another in one pytest session, as a `LocalWorkers`
process does; tasks hand it their submission and wait, so concurrent tasks of a worker with several
threads queue rather than share it (one thread per worker process is the intended set-up). The
plugin is registered under a name of this backend's own (its client's id) and removed by `close`,
which tears the graders down; those of a batch killed before its `close` are removed by the next
batch on the cluster.

A worker that dies while grading (the OOM killer, a crash, a lost machine) costs nothing: the
scheduler hands its tasks to other workers, and each submission is still yielded once. One whose
workers keep dying is given up by the scheduler after `distributed.scheduler.allowed-failures` + 1
deaths (the cluster's setting, default 3) and recorded as failed (`GraderFailed`), to be tried again
on the next run. A grader that raises unexpectedly is replaced and the submission tried again
(`ATTEMPTS` in all, Dask's `retries`). A worker that cannot grade at all (no course at that path, a
broken check file, no sandbox) stops the batch with that error, naming the worker.

This module is the only one that imports `distributed`; `autograder.batch` and `autograder.cli`
import it only for `--scheduler`.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import queue
import shutil
import tempfile
import threading
import uuid
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

from distributed import Client, Future, Worker, as_completed, get_worker
from distributed.diagnostics.plugin import WorkerPlugin
from distributed.scheduler import KilledWorker

from autograder.batch import ATTEMPTS, GraderFailed, GradingOptions, Job, Outcome, make_grader, staged_job
from autograder.catalog import Course
from autograder.errors import CourseError, GraderError, SubmissionError, UsageError
from autograder.result import Result
from autograder.submission import MAX_BYTES, SKIPPED_NAMES, check_limits

__all__ = ["DaskWorkers"]

#: The largest `.zip` submission sent to a worker. Its members may hold at most MAX_BYTES unpacked
#: (the worker checks), so only an archive padded with junk is refused here rather than there.
MAX_ZIP_BYTES = 2 * MAX_BYTES
#: What a task returns: ("done", outcome), or ("fatal", the error that stops the batch).
_Reply = tuple[str, Any]
#: The workers' plugin of a batch is this and its client's id.
_PLUGIN_PREFIX = "autograder-grader-"


class DaskWorkers:
    """Grades jobs on the workers of the Dask scheduler at `address`, one task per submission.

    Args:
        options: how the workers' graders grade; `options.course` is the course's path on every
            worker.
        address: the scheduler (``tcp://host:8786``, or anything `distributed.Client` accepts).
        resources: what each task needs of a worker's `--resources` (``{"GPU": 1}``: only workers
            started with ``--resources GPU=1`` grade, one submission per GPU at a time).

    Raises:
        UsageError: the scheduler cannot be reached, or none of its workers has `resources` (a
            cluster with no workers yet is trusted to get some).
        CourseError: the workers cannot load the kit's plugin (the kit is not installed there).
    """

    def __init__(self, options: GradingOptions, address: str, *, resources: Mapping[str, float] | None = None,
                 ) -> None:
        self.options = options
        self._resources = dict(resources) if resources else None
        try:
            # Any: much of Client is unannotated (distributed's typing is partial).
            self._client: Any = cast(Any, Client(address, set_as_default=False))  # type: ignore[no-untyped-call]
        except (OSError, ValueError) as exc:  # TimeoutError and refused connections are OSErrors
            raise UsageError(f"cannot reach the Dask scheduler at {address} ({exc})") from None
        #: the scheduler's address, for the gradebook's runs table
        self.scheduler: str | None = str(self._client.scheduler.address)
        workers = self._client.scheduler_info()["workers"]
        #: how many workers the cluster had when the batch started
        self.workers: int = len(workers)
        if self._resources and workers and not any(
                all(info.get("resources", {}).get(name, 0) >= amount for name, amount in self._resources.items())
                for info in workers.values()):
            self._client.close()
            wanted = " ".join(f"{name}={amount:g}" for name, amount in self._resources.items())
            raise UsageError(f"no worker of the Dask cluster at {address} has the resources {wanted} (start workers "
                             f"with --resources {wanted!r}): its tasks would wait forever")
        self._token = uuid.uuid4().hex[:12]
        self._remove_orphaned_graders()
        self._plugin: str | None = f"{_PLUGIN_PREFIX}{self._client.id}"
        try:
            self._client.register_plugin(_GraderPlugin(options), name=self._plugin)
        except Exception as exc:
            self._plugin = None
            self._client.close()
            raise CourseError(f"the Dask workers cannot load the grader (is this version of the kit installed on "
                              f"every worker?): {type(exc).__name__}: {exc}") from None

    def _remove_orphaned_graders(self) -> None:
        """Remove the graders of batches whose client is gone (killed before its `close`), which
        would hold their workers' memory and zygotes until the workers restart. Each plugin is
        named after its client; those of batches still running are left alone."""

        def orphans(dask_scheduler: Any) -> list[str]:  # runs on the scheduler, which needs no kit
            return [name for name in dask_scheduler.worker_plugins if name.startswith(prefix)
                    and name.removeprefix(prefix) not in dask_scheduler.clients]

        prefix = _PLUGIN_PREFIX
        with contextlib.suppress(Exception):  # a scheduler that refuses `run_on_scheduler`: nothing removed
            for name in self._client.run_on_scheduler(orphans):
                with contextlib.suppress(Exception):
                    self._client.unregister_worker_plugin(name)

    def grade(self, jobs: Sequence[Job]) -> Iterator[tuple[Job, Outcome]]:
        """Submit the jobs, a few per worker thread ahead of the grading (so neither the batch
        machine nor the scheduler holds every submission's bytes at once), and yield each
        outcome as it arrives."""
        if not jobs:
            return
        waiting = list(reversed(jobs))
        running: dict[Future[_Reply], Job] = {}
        completed: Any = as_completed(loop=self._client.loop)  # type: ignore[no-untyped-call]
        try:
            while waiting or running:
                window = max(2, 2 * sum(self._client.nthreads().values()))
                while waiting and len(running) < window:
                    job = waiting.pop()
                    packed = _pack(job)
                    if isinstance(packed, str):
                        yield job, packed
                        continue
                    name, payload = packed
                    future = self._client.submit(
                        _grade_task, self._plugin, name, payload, job.as_exercise,
                        key=f"autograder-grade-{self._token}-{job.key}", pure=False, retries=ATTEMPTS - 1,
                        resources=self._resources)
                    running[future] = job
                    completed.add(future)
                if running:
                    future = next(completed)
                    job = running.pop(future)
                    yield job, self._outcome(future, job)
        finally:
            if running:
                with contextlib.suppress(Exception):
                    self._client.cancel(list(running))

    def _outcome(self, future: Future[_Reply], job: Job) -> Outcome:
        if future.status == "error":
            error = future.exception()  # type: ignore[no-untyped-call]
            if isinstance(error, KilledWorker):
                tries = error.allowed_failures + 1
                return GraderFailed(
                    f"the Dask worker grading this submission died, {tries} time{'s' if tries > 1 else ''} in a row "
                    f"(the last on {error.last_worker.address}); it is tried again on the next run")
            return GraderFailed(f"grading failed on the Dask cluster {ATTEMPTS} times ({type(error).__name__}: "
                                f"{error}); it is tried again on the next run")
        kind, value = future.result()  # a cancelled future (the scheduler restarted) stops the batch
        if kind == "fatal":
            assert isinstance(value, CourseError)
            raise value
        if isinstance(value, dict):
            value["submission"] = job.path  # not the worker's temporary copy
        return value  # type: ignore[no-any-return]

    def close(self) -> None:
        """Remove the graders from the workers and close the client (the cluster goes on)."""
        if self._plugin is not None:
            with contextlib.suppress(Exception):
                self._client.unregister_worker_plugin(self._plugin)
            self._plugin = None
        self._client.close()

    def __enter__(self) -> DaskWorkers:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


# --------------------------------------------------------------------------- the batch machine's side


def _pack(job: Job) -> tuple[str, bytes] | str:
    """A submission as (file name, bytes) for a worker: a folder as a zip of what staging would
    copy (the same files, folders and limits), a file as it is; or why it cannot be sent."""
    path = Path(job.path)
    try:
        if path.is_dir():
            return f"{path.name}.zip", _zip_folder(path)
        size = path.stat().st_size
        if path.suffix == ".zip":
            if size > MAX_ZIP_BYTES:
                return f"{path.name} is larger than {MAX_ZIP_BYTES // 2**20} MiB"
        else:
            check_limits(path, 1, size)
        return path.name, path.read_bytes()
    except SubmissionError as error:
        return str(error)
    except OSError as exc:
        return f"{path.name} cannot be read ({exc.strerror or exc})"
    except ValueError as exc:  # a file name zip cannot hold (not UTF-8)
        return f"{path.name} cannot be sent to the Dask workers ({exc})"


def _zip_folder(source: Path) -> bytes:
    """The folder as `autograder.submission` stages it (links and caches left out, folders kept,
    MAX_FILES and MAX_BYTES enforced), zipped in memory."""
    buffer = io.BytesIO()
    count = size = 0
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for path in sorted(source.rglob("*")):
            relative = path.relative_to(source)
            if SKIPPED_NAMES.intersection(relative.parts) or path.is_symlink():
                continue
            if path.is_dir():
                zf.mkdir(relative.as_posix())
            elif path.is_file():
                count, size = count + 1, size + path.stat().st_size
                check_limits(source, count, size)
                zf.writestr(zipfile.ZipInfo(relative.as_posix(), date_time=(1980, 1, 1, 0, 0, 0)),
                            path.read_bytes(), compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
    return buffer.getvalue()


# --------------------------------------------------------------------------- the workers' side


def _grade_task(plugin: str, name: str, payload: bytes, as_exercise: str | None) -> _Reply:
    """One Dask task: unpack the submission into a private directory and have this worker's
    grader grade it."""
    worker = get_worker()
    grader = worker.plugins[plugin]
    assert isinstance(grader, _GraderPlugin)
    folder = Path(tempfile.mkdtemp(prefix="autograder-dask-"))
    try:
        file = folder / Path(name).name
        file.write_bytes(payload)
        reply: _Reply | None = None
        for path in staged_job(str(file), as_exercise):
            reply = grader.grade(path)
        assert reply is not None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if reply[0] == "fatal":  # as for LocalWorkers: the course or the machine cannot grade
        return "fatal", CourseError(f"Dask worker {worker.address} cannot grade: {reply[1]}")
    if reply[0] == "error":  # raised, so that Dask tries again (`retries`), with a fresh grader
        raise RuntimeError(reply[1])
    return reply


class _GraderPlugin(WorkerPlugin):
    """A worker's warm grader: started when the plugin is set up, torn down with it."""

    def __init__(self, options: GradingOptions) -> None:
        self.__setstate__({"options": options})

    def __getstate__(self) -> dict[str, Any]:
        return {"options": self.options}  # what travels to the workers: no lock, no grader

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.options: GradingOptions = state["options"]
        self._lock = threading.Lock()
        self._session: _Session | None = None
        self._closed = False

    def setup(self, worker: Worker) -> None:
        self._current()  # the zygote and the grader's torch import start now, beside the worker's start-up

    async def teardown(self, worker: Worker) -> None:
        with self._lock:
            session, self._session, self._closed = self._session, None, True
        if session is not None:
            await asyncio.to_thread(session.close)

    def _current(self) -> _Session:
        with self._lock:
            if self._closed:  # a task that started as the plugin was removed: Dask tries it again
                raise RuntimeError("this worker's grader was removed")
            if self._session is None or self._session.broken:
                if self._session is not None:
                    self._session.close()
                self._session = _Session(self.options)
            return self._session

    def grade(self, path: Path) -> _Reply:
        return self._current().grade(path)


class _Request:
    __slots__ = ("done", "path", "reply")

    def __init__(self, path: Path) -> None:
        self.path = path
        self.reply: _Reply = ("error", "the grader ended before grading this submission")
        self.done = threading.Event()

    def answer(self, reply: _Reply) -> None:
        self.reply = reply
        self.done.set()


class _Session:
    """One grader in a thread of its own, grading the submissions handed to it one at a time in
    one pytest session (`Grader.grade_many` fed from a queue)."""

    def __init__(self, options: GradingOptions) -> None:
        self.options = options
        self._queue: queue.SimpleQueue[_Request | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._current: _Request | None = None
        #: what every further request is answered once the grader has stopped
        self._ended: _Reply | None = None
        self._thread = threading.Thread(target=self._main, name="autograder-grader", daemon=True)
        self._thread.start()

    @property
    def broken(self) -> bool:
        """Whether it stopped through an unexpected error (a new grader may do better)."""
        return self._ended is not None and self._ended[0] == "error"

    def grade(self, path: Path) -> _Reply:
        request = _Request(path)
        with self._lock:
            if self._ended is None:
                self._queue.put(request)
            else:
                request.answer(self._ended)
        request.done.wait()
        return request.reply

    def close(self) -> None:
        """Have the grader finish its submission and close. Waits a little only: on a worker that
        is shutting down, what it grades goes to another worker anyway, and the zygote ends with
        the process."""
        self._queue.put(None)
        self._thread.join(timeout=10)

    def _main(self) -> None:
        started = False
        try:
            # A worker without the course (or with another one) says so at once, not after a torch import.
            course = Course.find(self.options.course)
            course.select(self.options.only)
            course.settings()
            with make_grader(self.options) as grader:
                started = True
                grader.grade_many(self._requests(), only=self.options.only, on_graded=self._graded)
        except GraderError as error:
            self._end(("fatal", error))
        except BaseException as exc:
            if started:
                self._end(("error", f"the grader failed: {type(exc).__name__}: {exc}"))
            else:
                self._end(("fatal", CourseError(f"the grader could not start: {type(exc).__name__}: {exc}")))
        else:  # closed: anything still handed to it is tried again (elsewhere, or by a new grader)
            self._end(("error", "the worker's grader was closed"))

    def _requests(self) -> Iterator[Path]:
        while True:
            request = self._queue.get()
            if request is None:
                return
            self._current = request
            yield request.path

    def _graded(self, path: Path, outcome: Result | SubmissionError) -> None:
        request, self._current = self._current, None
        assert request is not None
        request.answer(("done", outcome.to_dict() if isinstance(outcome, Result) else str(outcome)))

    def _end(self, reply: _Reply) -> None:
        """The grader stopped: answer the submission it was grading and every one still queued."""
        with self._lock:
            self._ended = reply
            if self._current is not None:
                self._current.answer(reply)
                self._current = None
            while True:
                try:
                    request = self._queue.get_nowait()
                except queue.Empty:
                    break
                if request is not None:
                    request.answer(reply)
