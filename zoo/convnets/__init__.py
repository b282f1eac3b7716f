"""THROWAWAY (panns branch): replaced at merge by the restructured zoo/convnets package."""

from zoo.convnets import panns  # noqa: F401
