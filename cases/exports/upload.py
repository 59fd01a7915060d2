"""Receiving an export: the SHA-256 computed while the upload arrives, and the export's own size
limit enforced before anything past it is written (Django's upload handlers, not a second pass)."""

from __future__ import annotations

import hashlib

from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler


class HashingUploadHandler(TemporaryFileUploadHandler):
    """Streams each file to a temporary file (never memory), hashing it on the way; past `limit`
    bytes the file is dropped and `exceeded` says why. The finished file carries `.sha256`."""

    def __init__(self, limit: int, request=None) -> None:
        super().__init__(request)
        self.limit = limit
        self.exceeded = False
        self._digest = hashlib.sha256()
        self._received = 0

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self._digest = hashlib.sha256()
        self._received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self._received += len(raw_data)
        if self._received > self.limit:
            self.exceeded = True
            self.file.close()
            raise SkipFile()
        self._digest.update(raw_data)
        self.file.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> TemporaryUploadedFile:
        upload = super().file_complete(file_size)
        upload.sha256 = self._digest.hexdigest()  # type: ignore[attr-defined]
        return upload
