"""rnnsym: derives, checks and typesets solutions of an RNN problem set."""

__version__ = "0.1.0"
