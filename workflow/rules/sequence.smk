# Stage rules for sequence: owned by the sequence stage; appends its outputs to ALL_TARGETS.
