"""Arrow building blocks shared by the corpus writers."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

INT32 = pa.int32()


def list_array(values: np.ndarray, counts: np.ndarray, value_type: pa.DataType = INT32) -> pa.Array:
    """``list<value_type>`` of ``counts[i]`` consecutive ``values`` per row (large offsets
    only when 32-bit ones overflow)."""
    counts = np.asarray(counts, dtype=np.int64)
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    vals = pa.array(np.asarray(values).astype(value_type.to_pandas_dtype()), value_type)
    if offsets[-1] < 2**31:
        return pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32), pa.int32()), vals)
    return pa.LargeListArray.from_arrays(pa.array(offsets, pa.int64()), vals)
