from genovocab.tokenizers.interval import IntervalTokenizer  # noqa: F401
