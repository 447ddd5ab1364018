"""Instance folders: format (`schema`), reading (`read`), validation (`validate`), data (`core`)."""

from hubnet.instance.core import Collection, Instance, Policy
from hubnet.instance.periods import Periods
from hubnet.instance.validate import load_instance

__all__ = ["Collection", "Instance", "Periods", "Policy", "load_instance"]
