# Stage rules for ids: owned by the ids stage; appends its outputs to ALL_TARGETS.
