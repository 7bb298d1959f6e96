"""The exception hierarchy of rnnsym, one class per exit status.

interfaces.md fixes the exit statuses: 0 done, 1 a numerical check failed,
2 bad input, 3 LaTeX failed; rnnsym adds 4, the outputs could not be written. Every error the tool reports on purpose is a
subclass of :class:`RnnsymError` carrying its status, so the command line
maps errors to statuses in one place.
"""


class RnnsymError(Exception):
    """Base of every error rnnsym reports to the user."""

    exit_status = 1


class CheckFailed(RnnsymError):
    """A numerical or symbolic check of a derivation failed."""

    exit_status = 1


class InputError(RnnsymError):
    """A parameter file or a command-line argument is not acceptable."""

    exit_status = 2


class LatexError(RnnsymError):
    """LaTeX is missing, failed, or ran too long."""

    exit_status = 3


class HtmlError(RnnsymError):
    """pandoc, which makes the HTML edition, is missing or failed (the same status as LaTeX)."""

    exit_status = 3


class OutputError(RnnsymError):
    """The outputs could not be written (a full disk, no permission)."""

    exit_status = 4
