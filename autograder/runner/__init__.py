"""Where student code runs: in-process or in a sandboxed child (see `base.Runner`)."""
