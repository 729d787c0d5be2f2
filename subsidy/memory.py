"""The screening command's choice of how the process's memory allocator behaves."""

from __future__ import annotations

import ctypes

__all__ = ["keep_freed_memory"]

_tuned = False
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters (malloc.h)


def keep_freed_memory() -> None:
    """Ask glibc's allocator to keep freed blocks for reuse rather than return them to the system.

    A batch run allocates and frees thousands of temporary arrays of half a megabyte. By default glibc
    maps each such block afresh and unmaps it when freed, so every NumPy step pays for faulting in new
    pages, which costs more than the arithmetic itself. With blocks up to 32 MiB served from the heap
    and up to 256 MiB of freed memory kept, they are reused. This is the documented tuning of the
    ``mallopt`` parameters (also settable as MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_). It
    applies to the whole process, so it is the screening command's (and the benchmarks') choice,
    never the library's; it does nothing where the C library is not glibc.
    """
    global _tuned
    if _tuned:
        return
    _tuned = True
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return
    mallopt(_M_MMAP_THRESHOLD, 32 << 20)
    mallopt(_M_TRIM_THRESHOLD, 256 << 20)
