"""The one exception softrl's Python package raises for bad input."""


class SoftrlError(ValueError):
    """A file, directory or argument softrl cannot use; the message names
    the file and the field at fault."""
