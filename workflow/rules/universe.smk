# Stage rules for universe: owned by the universe stage; appends its outputs to ALL_TARGETS.
