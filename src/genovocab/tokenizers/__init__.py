from genovocab.tokenizers.interval import IntervalTokenizer  # noqa: F401
from genovocab.tokenizers.motif import MotifTokenizer  # noqa: F401
from genovocab.tokenizers.sequence import SequenceTokenizer  # noqa: F401
