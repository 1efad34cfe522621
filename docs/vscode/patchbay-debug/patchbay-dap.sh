#!/bin/sh
# The adapter VS Code starts: `patchbay dap` on stdio. PATCHBAY names the launcher
# (default: patchbay on PATH, e.g. a symlink to the repository's ./patchbay).
exec "${PATCHBAY:-patchbay}" dap
