"""Instance folders: format (`schema`), reading (`read`), validation (`validate`), data (`core`)."""

from hubnet.instance.core import Collection, Instance, Policy
from hubnet.instance.validate import load_instance

__all__ = ["Collection", "Instance", "Policy", "load_instance"]
