"""Training machinery shared by the jobs: strategies, precision, the custom loop, epoch-seed replay."""
