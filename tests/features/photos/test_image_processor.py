"""The async face of image processing: off the event loop, at most N decoding at once."""

import asyncio
import os
import threading
from pathlib import Path

import pytest

from app.features.photos.images import ImageProcessor, ImageRejectedError, ProcessedImage
from tests.features.photos.samples import PDF, encode, picture, write


class CountingProcessor(ImageProcessor):
    """Counts the calls decoding at once; each waits for a partner, so the cap is reached."""

    def __init__(self, max_concurrency: int) -> None:
        super().__init__(max_concurrency)
        self._lock = threading.Lock()
        self._partners = threading.Barrier(max_concurrency, timeout=10)
        self.active = 0
        self.most_active = 0
        self.threads: set[int] = set()

    def _process_now(self, source: Path, workdir: Path) -> ProcessedImage:
        with self._lock:
            self.active += 1
            self.most_active = max(self.most_active, self.active)
            self.threads.add(threading.get_ident())
        try:
            self._partners.wait()
            return super()._process_now(source, workdir)
        finally:
            with self._lock:
                self.active -= 1


async def test_a_burst_decodes_at_most_max_concurrency_at_once(tmp_path: Path) -> None:
    sizes = [(300 + 10 * index, 200) for index in range(6)]
    sources = [
        write(tmp_path, encode(picture(size), "JPEG"), f"{index}.jpg")
        for index, size in enumerate(sizes)
    ]
    processor = CountingProcessor(max_concurrency=2)

    results = await asyncio.gather(*(processor.process(path, tmp_path) for path in sources))

    assert processor.most_active == 2
    assert [(result.original.width, result.original.height) for result in results] == sizes
    assert threading.get_ident() not in processor.threads


async def test_a_refusal_frees_its_slot(tmp_path: Path) -> None:
    processor = ImageProcessor(max_concurrency=1)
    pdf = write(tmp_path, PDF, "a.jpg")
    jpeg = write(tmp_path, encode(picture((40, 30)), "JPEG"), "b.jpg")

    with pytest.raises(ImageRejectedError):
        await processor.process(pdf, tmp_path)
    result = await asyncio.wait_for(processor.process(jpeg, tmp_path), timeout=10)

    assert result.original.width == 40


def test_the_default_concurrency_is_the_core_count() -> None:
    assert ImageProcessor().max_concurrency == (os.cpu_count() or 1)
    assert ImageProcessor(3).max_concurrency == 3
