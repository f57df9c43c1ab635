"""SMS provider sandbox: four vendor SMS APIs emulated over one provider-neutral core."""

__version__ = "0.1.0"
