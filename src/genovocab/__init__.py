"""genovocab: vocabularies for machine learning on the genome, built end to end.

Three vocabularies (interval universe, motif bins, BPE + G-grams), tokenizers with a Hugging
Face-shaped API, and sharded tokenized corpora, cut as reproducible releases.
"""

from genovocab._version import __version__

__all__ = ["__version__", "load_release"]


def load_release(path, verify=True, cache_dir=None):
    """Open a release folder or tarball (see :func:`genovocab.release.load_release`)."""
    from genovocab.release import load_release as _load

    return _load(path, verify=verify, cache_dir=cache_dir)
