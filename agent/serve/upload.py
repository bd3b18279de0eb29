"""`POST /v1/ingest`: multipart upload of PDF, Markdown and text files into the library.

The files are staged in a fresh folder under `<home>/uploads/`, handed to `Library.ingest`
(which commits each document whole, or not at all) and removed afterwards, whatever happened.
A body over `serve.max_upload_mb` or a client that goes away mid-upload never reaches the
library. Each file's result is what `fitcoach ingest --json` reports, under the uploaded name.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from fitcoach.knowledge.types import IngestFileResult

from .api import ERRORS, SSE_HEADERS, sse_events
from .auth import require_token
from .errors import ApiError
from .schemas import IngestResponse

router = APIRouter(prefix="/v1", dependencies=[Depends(require_token)], responses=ERRORS)

MAX_FILES = 200
UPLOAD_PREFIX = "upload-"
_UNSAFE = re.compile(r"[^\w.()+ -]+")


def safe_name(filename: str | None) -> str:
    """The last path component of an uploaded file's name, without characters a file system
    or a shell could trip on; never empty, never a dot-file."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = _UNSAFE.sub("_", name).strip(" .")
    if not name:
        return "upload"
    stem, dot, suffix = name.rpartition(".")
    if dot and len(name) > 120:
        return stem[: 119 - len(suffix)] + "." + suffix
    return name[:120]


def unique_names(filenames: list[str | None]) -> list[str]:
    """Safe names, with `-2`, `-3`, ... added where two uploads share one."""
    seen: set[str] = set()
    names = []
    for filename in filenames:
        name = safe_name(filename)
        stem, dot, suffix = name.rpartition(".") if "." in name else (name, "", "")
        n = 1
        while name.lower() in seen:
            n += 1
            name = f"{stem}-{n}{dot}{suffix}"
        seen.add(name.lower())
        names.append(name)
    return names


def _stage(uploads_dir: Path, files: list[UploadFile], names: list[str]) -> Path:
    """Copy the uploads into a new folder; on any failure nothing is left behind."""
    uploads_dir.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=UPLOAD_PREFIX, dir=uploads_dir))
    try:
        for upload, name in zip(files, names, strict=True):
            upload.file.seek(0)
            with open(folder / name, "wb") as out:
                shutil.copyfileobj(upload.file, out, 1024 * 1024)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def remove_stale_uploads(uploads_dir: Path) -> None:
    """Remove what a killed server left staged (called when the app starts)."""
    if uploads_dir.is_dir():
        for child in uploads_dir.glob(UPLOAD_PREFIX + "*"):
            shutil.rmtree(child, ignore_errors=True)


def _relabel(text: str | None, uploads_dir: Path) -> str | None:
    """Messages name staged paths (this upload's or an earlier one's); people know file names."""
    if not text:
        return text
    staged = re.escape(str(uploads_dir)) + "/" + re.escape(UPLOAD_PREFIX) + r"[^/\s]+/"
    return re.sub(staged, "", text)


def _response(report: Any, uploads_dir: Path) -> dict[str, Any]:
    files = []
    for result in report.files:
        item = result.model_dump(mode="json")
        item["path"] = Path(result.path).name
        item["message"] = _relabel(item.get("message"), uploads_dir)
        files.append(item)
    response = IngestResponse(
        files=files,
        added=report.added,
        updated=report.updated,
        skipped=report.skipped,
        failed=report.failed,
        embedded_chunks=report.embedded_chunks,
        seconds=report.seconds,
    ).model_dump(mode="json", exclude={"quarantined"})
    # The same keys as `fitcoach ingest --json`, which counts quarantined sentences once the
    # library reports them per file.
    if "quarantined" in IngestFileResult.model_fields:
        response["quarantined"] = sum(f.quarantined for f in report.files)
    return response


@router.post(
    "/ingest",
    response_model=IngestResponse,
    tags=["library"],
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": "With ?stream=true: server-sent events `progress` (`{stage, path, "
            "total, done, doc_id}` per file read and committed), then `report` (this body) or "
            "`error`.",
        }
    },
)
async def ingest(
    request: Request,
    files: list[UploadFile] = File(description="PDF, Markdown (.md) or text (.txt) files."),
    title: str | None = Form(None, max_length=500, description="Title, instead of the guess."),
    authors: str | None = Form(None, max_length=2000, description="Authors, separated by ';'."),
    year: int | None = Form(None, ge=1800, le=2100, description="Publication year."),
    journal: str | None = Form(None, max_length=500, description="Journal name."),
    doi: str | None = Form(None, max_length=200, description="DOI, e.g. 10.1249/MSS.0b013e..."),
    stream: bool = Query(False, description="Send progress as server-sent events."),
) -> Any:
    """Add papers to the library; each file gets `added`, `skipped` or `failed` with a reason
    and a hint (a bad file never stops the others). Metadata fields apply to every file."""
    if not files:
        raise ApiError(400, "no files in the upload", hint="send one or more `files` parts")
    if len(files) > MAX_FILES:
        raise ApiError(
            400,
            f"{len(files)} files in one upload (at most {MAX_FILES})",
            hint="split the upload into several requests",
        )
    overrides = {
        k: v
        for k, v in dict(title=title, authors=authors, year=year, journal=journal, doi=doi).items()
        if v not in (None, "")
    }
    context = request.app.state.fitcoach
    names = unique_names([f.filename for f in files])
    folder = await run_in_threadpool(_stage, context.uploads_dir, files, names)
    paths = [folder / name for name in names]
    queue = context.ingest_queue
    # Whoever takes this first owns the staged folder and removes it: the ingest job when it
    # runs, or this request when the job was refused or dropped before it started.
    owner = threading.Lock()

    def release() -> None:
        if owner.acquire(blocking=False):
            shutil.rmtree(folder, ignore_errors=True)

    def run(progress: Callable[[Any], None] | None = None) -> dict[str, Any]:
        if not owner.acquire(blocking=False):
            raise ApiError(499, "the upload was cancelled before it was ingested")
        try:
            report = context.library.ingest(paths, overrides=overrides or None, progress=progress)
            return _response(report, context.uploads_dir)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    if not stream:
        try:
            return JSONResponse(await queue.run(run))
        finally:
            release()

    def job(emit: Callable[[str, Any], None], stop: threading.Event) -> None:
        def progress(event: Any) -> None:
            data = event.model_dump(mode="json")
            if data.get("path"):
                data["path"] = Path(data["path"]).name
            emit("progress", data)

        emit("report", run(progress))

    async def events() -> Any:
        try:
            async for item in queue.stream(job):
                yield item
        finally:
            release()

    return StreamingResponse(
        sse_events([], events()), media_type="text/event-stream", headers=SSE_HEADERS
    )
