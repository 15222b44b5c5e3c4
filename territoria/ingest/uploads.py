"""Uploaded files, from the portal or the API, become a path on disk the datastore can read."""

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile


@contextmanager
def upload_on_disk(upload: UploadedFile) -> Iterator[Path]:
    """Yield a path holding the upload's bytes, removed afterwards. Never reads it whole."""
    tmp_dir = settings.HOME / "uploads"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    suffix = Path(upload.name or "upload").suffix[:10]
    fd, name = tempfile.mkstemp(dir=tmp_dir, suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as out:
            if hasattr(upload, "temporary_file_path"):
                with open(upload.temporary_file_path(), "rb") as src:
                    shutil.copyfileobj(src, out, 1 << 20)
            else:
                for chunk in upload.chunks():
                    out.write(chunk)
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)
