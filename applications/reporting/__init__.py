"""Metrics, predictions and figures of a job's report, shared by every job."""
