# Stage rules for corpora: owned by the corpora stage; appends its outputs to ALL_TARGETS.
