"""The `get_config` body of a serialisable layer: its constructor arguments, read back by name.

A layer that keeps each constructor argument as an attribute of the same name
returns `{**super().get_config(), **attribute_config(self, "a", "b")}`: each
name is written once, so the config keys and the attributes cannot drift apart.

Example:
    >>> attribute_config(zoo.layers.TimeCrops(8, num_crops=2), "crop_frames", "num_crops")
    {'crop_frames': 8, 'num_crops': 2}
"""

__all__ = ["attribute_config"]


def attribute_config(obj, *names):
    """`{name: getattr(obj, name)}` for each of `names`, in that order."""
    return {name: getattr(obj, name) for name in names}
