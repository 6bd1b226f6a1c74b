"""The `kerasclf` command: `main` parses the flags; `evaluate` holds evaluate and predict."""
